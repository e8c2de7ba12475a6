// Writes THIRD-PARTY-LICENSES.txt: the licence text of every npm package whose
// code esbuild put into plotly-wcc.min.js (read from esbuild's metafile).
// Usage (in the build folder): node licenses.js meta.json THIRD-PARTY-LICENSES.txt
'use strict';
var fs = require('fs');
var path = require('path');
var meta = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
var inputs = Object.values(meta.outputs)[0].inputs;
var pkgs = {};
Object.keys(inputs).forEach(function(k) {
    var m = k.match(/node_modules\/((@[^/]+\/)?[^/]+)\//);
    if(m && inputs[k].bytesInOutput > 0 && !/\.css$/.test(k)) pkgs[m[1]] = true;
});
var out = ['Third-party software bundled in plotly-wcc.min.js', ''];
Object.keys(pkgs).sort().forEach(function(name) {
    var dir = path.join('node_modules', name);
    var pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    var lic = fs.readdirSync(dir).filter(function(f) { return /^(licen[cs]e|copying)/i.test(f); })[0];
    var author = pj.author && (pj.author.name || pj.author);
    out.push('='.repeat(72));
    out.push(name + '@' + pj.version + '  licence: ' + (pj.license || '?') + (author ? '  author: ' + author : ''));
    out.push('-'.repeat(72));
    out.push(lic ? fs.readFileSync(path.join(dir, lic), 'utf8').trim()
                 : '(no licence file in the npm package; package.json declares "' + pj.license + '")');
    out.push('');
});
fs.writeFileSync(process.argv[3], out.join('\n') + '\n');
console.log(Object.keys(pkgs).length + ' packages -> ' + process.argv[3]);

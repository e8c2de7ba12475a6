'use strict';
// WCC Network custom plotly.js bundle.
// Traces: scatter (from core), bar, heatmap, choropleth, scattergeo. No locales.
// The core leaves out components the app never uses (core-wcc.js), and the build
// leaves out d3-geo-projection (maps use Mercator, from d3-geo). Rebuild: see ../BUILD.md
var Plotly = require('./core-wcc');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scattergeo')
]);

// Offline default: geo subplots load their base-layer topojson from
// ../topojson/ next to this file instead of https://cdn.plot.ly/.
// A topojsonURL given to Plotly.setPlotConfig() or in a plot's config wins.
(function() {
    var s = typeof document !== 'undefined' && document.currentScript;
    if(s && s.src) {
        try {
            Plotly.setPlotConfig({topojsonURL: new URL('../topojson/', s.src).href});
        } catch(e) { /* leave plotly's default */ }
    }
})();

module.exports = Plotly;

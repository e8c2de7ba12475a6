// WCC Network's maps use the Mercator projection, which d3-geo itself provides; plotly.js looks
// the other projection types up in d3-geo-projection, left out of this bundle.
module.exports = {};

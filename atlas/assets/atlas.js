/* DSR Atlas map behaviour. All text from the data is inserted with textContent, never as HTML. */
(function () {
  "use strict";

  var D = window.ATLAS_DATA;
  var NODATA_FILL = "url(#atlas-nodata)";

  /* Shapes come quantised and delta-encoded (see atlas/site.py: encode_geometry); they are
     decoded straight into Leaflet LatLngs, without building GeoJSON first. */
  function decodeShapes(enc) {
    return enc.shapes.map(function (shape) {
      var polygons = shape[1].map(function (rings) {
        return rings.map(function (flat) {
          var ring = new Array(flat.length / 2), x = 0, y = 0;
          for (var i = 0, j = 0; i < flat.length; i += 2, j++) {
            x += flat[i]; y += flat[i + 1];
            ring[j] = new L.LatLng(y / enc.grid, x / enc.grid);
          }
          return ring;
        });
      });
      return { id: shape[0], latlngs: polygons };
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function safeUrl(u) {
    return typeof u === "string" && /^https?:\/\/[^\s<>"'`]+$/i.test(u) ? u : null;
  }

  function link(href, text) {
    var url = safeUrl(href);
    if (!url) return el("span", { text: text });
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: text });
  }

  var layersById = {};
  D.layers.forEach(function (l) {
    l.classByValue = {};
    l.classes.forEach(function (c) { l.classByValue[c.value] = c; });
    layersById[l.id] = l;
  });

  function valueLabel(layer, rec) {
    if (!rec) return "No data";
    var c = layer.classByValue[rec.value];
    return c ? c.label : String(rec.value);
  }

  function parseHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i > 0) out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
    });
    return out;
  }

  function AtlasSite(map) {
    this.map = map;
    var h = parseHash();
    this.layer = layersById[h.layer] ? h.layer : D.layers[0].id;
    this.country = D.countries[h.country] ? h.country : null;
    this.renderer = L.svg({ padding: 0.5 });
    map.fitBounds([[-56, -170], [78, 180]]);
    this.buildGeometry();
    this.buildHeader();
    this.buildLayerControl();
    this.buildLegend();
    this.buildPanel();
    this.setLayer(this.layer, true);
    if (this.country) this.showCountry(this.country);
    var self = this;
    window.addEventListener("hashchange", function () {
      var hh = parseHash();
      if (hh.layer && layersById[hh.layer] && hh.layer !== self.layer) self.selectBase(hh.layer);
      if (hh.country && D.countries[hh.country] && hh.country !== self.country) self.showCountry(hh.country);
    });
    document.body.setAttribute("data-atlas-ready", "1");
  }

  /* Level of detail: the world view (coarse) draws first; from DETAIL_ZOOM on, the detailed
     shapes (data/geometry.js) are loaded once and swapped in, and swapped back when zooming out. */
  var DETAIL_ZOOM = 4;

  AtlasSite.prototype.buildGeometry = function () {
    var self = this;
    this.byId = {};
    this.coarse = {};
    this.detail = null;
    this.geo = L.featureGroup();
    decodeShapes(window.ATLAS_GEOMETRY).forEach(function (shape) {
      var id = shape.id;
      var lyr = L.polygon(shape.latlngs, L.extend({ renderer: self.renderer }, self.style(id)));
      lyr.atlasId = id;
      self.byId[id] = lyr;
      self.coarse[id] = shape.latlngs;
      self.geo.addLayer(lyr);
    });
    // One tooltip and one set of handlers for the whole group (events bubble from each country).
    this.geo.bindTooltip(function (lyr) { return self.tooltip(lyr.atlasId); }, { sticky: true });
    this.geo.on("click", function (e) { self.showCountry(e.layer.atlasId); });
    this.geo.on("mouseover", function (e) { e.layer.setStyle({ weight: 2, color: "#111" }); });
    this.geo.on("mouseout", function (e) { e.layer.setStyle(self.style(e.layer.atlasId)); });
    this.geo.addTo(this.map);
    this.lod = "world";
    this.map.on("zoomend", function () { self.updateDetail(); });
    this.addHatch();
  };

  AtlasSite.prototype.updateDetail = function () {
    var self = this;
    var want = this.map.getZoom() >= DETAIL_ZOOM ? "detail" : "world";
    if (want === this.lod) return;
    if (want === "detail" && !this.detail) {
      if (window.ATLAS_GEOMETRY_DETAIL) {
        this.detail = {};
        decodeShapes(window.ATLAS_GEOMETRY_DETAIL).forEach(function (s) { self.detail[s.id] = s.latlngs; });
      } else if (!this.loadingDetail) {
        this.loadingDetail = true;
        var script = document.createElement("script");
        script.src = "data/geometry.js";
        script.onload = function () { self.updateDetail(); };
        document.head.appendChild(script);
        return;
      } else {
        return;
      }
    }
    var shapes = want === "detail" ? this.detail : this.coarse;
    Object.keys(this.byId).forEach(function (id) { self.byId[id].setLatLngs(shapes[id]); });
    this.lod = want;
    document.body.setAttribute("data-lod", want);
  };

  AtlasSite.prototype.buildHeader = function () {
    var downloads = [
      el("a", { href: "data/atlas.geojson", download: "", text: "atlas.geojson" }), " · ",
      el("a", { href: "data/atlas.csv", download: "", text: "atlas.csv" }), " · per layer: "
    ];
    D.layers.forEach(function (l, i) {
      if (i) downloads.push(" · ");
      downloads.push(el("a", { href: "data/" + encodeURIComponent(l.id) + ".geojson", download: "", text: l.id }));
    });
    var box = el("div", { className: "atlas-box atlas-header", id: "atlas-header" }, [
      el("h1", { text: D.meta.title }),
      el("p", { text: "Data version " + D.meta.data_version + ". Downloads: " }, downloads)
    ]);
    var Header = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () { L.DomEvent.disableClickPropagation(box); return box; }
    });
    new Header().addTo(this.map);
  };

  AtlasSite.prototype.addHatch = function () {
    var svg = this.renderer._container;
    if (!svg || svg.querySelector("#atlas-nodata")) return;
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    var pat = document.createElementNS(ns, "pattern");
    pat.setAttribute("id", "atlas-nodata");
    pat.setAttribute("patternUnits", "userSpaceOnUse");
    pat.setAttribute("width", "6");
    pat.setAttribute("height", "6");
    pat.setAttribute("patternTransform", "rotate(45)");
    var bg = document.createElementNS(ns, "rect");
    bg.setAttribute("width", "6"); bg.setAttribute("height", "6"); bg.setAttribute("fill", "#f0f0f0");
    var line = document.createElementNS(ns, "rect");
    line.setAttribute("width", "2"); line.setAttribute("height", "6"); line.setAttribute("fill", "#bdbdbd");
    pat.appendChild(bg); pat.appendChild(line); defs.appendChild(pat);
    svg.insertBefore(defs, svg.firstChild);
  };

  AtlasSite.prototype.record = function (iso3, layerId) {
    var c = D.countries[iso3];
    return c && c.layers[layerId] ? c.layers[layerId] : null;
  };

  AtlasSite.prototype.style = function (iso3) {
    var layer = layersById[this.layer];
    var rec = this.record(iso3, this.layer);
    if (!rec) return { fillColor: NODATA_FILL, fillOpacity: 1, color: "#9e9e9e", weight: 0.5 };
    var c = layer.classByValue[rec.value];
    return { fillColor: c ? c.color : "#000000", fillOpacity: 0.9, color: "#555", weight: 0.6 };
  };

  AtlasSite.prototype.tooltip = function (iso3) {
    var c = D.countries[iso3];
    var layer = layersById[this.layer];
    var rec = this.record(iso3, this.layer);
    return el("div", { className: "atlas-tip" }, [
      el("strong", { text: c ? c.name : iso3 }),
      el("br"),
      el("span", { className: "atlas-tip-value", text: valueLabel(layer, rec) + (rec && rec.year ? " (" + rec.year + ")" : "") })
    ]);
  };

  AtlasSite.prototype.buildLayerControl = function () {
    var self = this;
    this.bases = {};
    var named = {};
    D.layers.forEach(function (l) {
      var group = L.layerGroup();
      group.atlasLayer = l.id;
      self.bases[l.id] = group;
      named[escapeHtml(l.title)] = group;  // Leaflet inserts layer names as HTML
    });
    this.control = L.control.layers(named, {}, { collapsed: false, position: "topleft" }).addTo(this.map);
    this.bases[this.layer].addTo(this.map);
    this.map.on("baselayerchange", function (e) {
      if (e.layer && e.layer.atlasLayer) self.setLayer(e.layer.atlasLayer);
    });
  };

  AtlasSite.prototype.selectBase = function (id) {
    var self = this;
    Object.keys(this.bases).forEach(function (k) {
      if (k !== id && self.map.hasLayer(self.bases[k])) self.map.removeLayer(self.bases[k]);
    });
    if (!this.map.hasLayer(this.bases[id])) this.bases[id].addTo(this.map);
    this.control._update && this.control._update();
    this.setLayer(id);
  };

  AtlasSite.prototype.buildLegend = function () {
    var self = this;
    var Legend = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        self.legendNode = el("div", { className: "atlas-box atlas-legend", id: "atlas-legend", role: "region", "aria-label": "Legend" });
        L.DomEvent.disableClickPropagation(self.legendNode);
        return self.legendNode;
      }
    });
    new Legend().addTo(this.map);
  };

  AtlasSite.prototype.renderLegend = function () {
    var layer = layersById[this.layer];
    var counts = D.coverage[layer.id] || {};
    var node = this.legendNode;
    node.textContent = "";
    node.setAttribute("data-layer", layer.id);
    node.appendChild(el("h2", { text: layer.title }));
    var items = layer.classes.map(function (c) {
      var sw = el("span", { className: "atlas-swatch" });
      sw.style.background = c.color;
      return el("li", { "data-value": c.value }, [sw, el("span", { text: c.label }), el("span", { className: "count", text: String(counts[c.value] || 0) })]);
    });
    items.push(el("li", { "data-value": "" }, [
      el("span", { className: "atlas-swatch nodata" }), el("span", { text: "No data" }),
      el("span", { className: "count", text: String(counts._no_data || 0) })
    ]));
    node.appendChild(el("ul", {}, items));
  };

  AtlasSite.prototype.setLayer = function (id, initial) {
    var self = this;
    this.layer = id;
    document.body.setAttribute("data-layer", id);
    if (!initial) this.geo.eachLayer(function (lyr) { lyr.setStyle(self.style(lyr.atlasId)); });
    this.renderLegend();
    if (this.country) this.renderPanel(this.country);
    this.writeHash();
  };

  AtlasSite.prototype.writeHash = function () {
    var h = "#layer=" + encodeURIComponent(this.layer) + (this.country ? "&country=" + encodeURIComponent(this.country) : "");
    if (location.hash !== h) history.replaceState(null, "", h);
  };

  AtlasSite.prototype.buildPanel = function () {
    var self = this;
    this.panel = el("aside", { className: "atlas-box atlas-panel", id: "atlas-panel", "aria-live": "polite", "aria-label": "Country details" });
    this.map.getContainer().appendChild(this.panel);
    L.DomEvent.disableClickPropagation(this.panel);
    L.DomEvent.disableScrollPropagation(this.panel);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") self.closePanel(); });
  };

  AtlasSite.prototype.closePanel = function () {
    this.country = null;
    this.panel.classList.remove("open");
    this.writeHash();
  };

  AtlasSite.prototype.showCountry = function (iso3) {
    this.country = iso3;
    this.renderPanel(iso3);
    this.writeHash();
  };

  AtlasSite.prototype.renderPanel = function (iso3) {
    var self = this;
    var c = D.countries[iso3];
    var p = this.panel;
    p.textContent = "";
    p.setAttribute("data-country", iso3);
    var close = el("button", { className: "atlas-close", type: "button", "aria-label": "Close details", text: "×" });
    close.addEventListener("click", function () { self.closePanel(); });
    p.appendChild(close);
    p.appendChild(el("h2", { text: c.name }));
    p.appendChild(el("p", { className: "zh", text: [c.name_zh, iso3].filter(Boolean).join(" · ") }));
    D.layers.forEach(function (layer) {
      var rec = c.layers[layer.id];
      var section = el("section", { "data-layer": layer.id }, [el("h3", { text: layer.title })]);
      if (!rec) {
        section.appendChild(el("p", { className: "nodata", text: "No data: no record for this country in this layer." }));
        p.appendChild(section);
        return;
      }
      if (layer.rows === "many") {
        section.appendChild(el("p", {}, [el("span", { className: "value", text: rec.count + (rec.count === 1 ? " project" : " projects") + " named in the sources" })]));
        var ul = el("ul", { className: "atlas-items" });
        rec.items.forEach(function (item) { ul.appendChild(el("li", {}, [self.recordDetails(layer, item, true)])); });
        section.appendChild(ul);
        p.appendChild(section);
        return;
      }
      section.appendChild(el("p", {}, [el("span", { className: "value", text: valueLabel(layer, rec) }), rec.year ? " (" + rec.year + ")" : ""]));
      section.appendChild(self.recordDetails(layer, rec, false));
      p.appendChild(section);
    });
    p.classList.add("open");
  };

  /* A record's fields, confidence, notes and numbered sources with quotes. */
  AtlasSite.prototype.recordDetails = function (layer, rec, withValue) {
    var box = el("div", { className: "atlas-record" });
    var dl = el("dl");
    if (withValue && rec.year) { dl.appendChild(el("dt", { text: "year" })); dl.appendChild(el("dd", { text: String(rec.year) })); }
    layer.fields.forEach(function (f) {
      if (f.name === layer.value) return;
      var v = rec.fields[f.name];
      if (v === null || v === undefined || (Array.isArray(v) && !v.length)) return;
      dl.appendChild(el("dt", { text: f.name.replace(/_/g, " ") }));
      dl.appendChild(el("dd", { text: Array.isArray(v) ? v.join("; ") : String(v) }));
    });
    dl.appendChild(el("dt", { text: "confidence" }));
    dl.appendChild(el("dd", { text: rec.confidence + (rec.confidence_reason ? ": " + rec.confidence_reason : "") }));
    if (rec.derivation) { dl.appendChild(el("dt", { text: "derivation" })); dl.appendChild(el("dd", { text: rec.derivation })); }
    if (rec.note) { dl.appendChild(el("dt", { text: "note" })); dl.appendChild(el("dd", { text: rec.note })); }
    box.appendChild(dl);
    var ol = el("ol", { className: "atlas-sources" });
    rec.citations.forEach(function (cit) {
      var src = D.sources[cit.source] || { title: cit.source };
      var who = [src.author, src.publisher, src.date].filter(Boolean).join(", ");
      ol.appendChild(el("li", {}, [
        link(src.url, src.title), who ? " — " + who : "", ", " + cit.locator,
        cit.quote ? el("blockquote", { text: "“" + cit.quote + "”" }) : null
      ]));
    });
    box.appendChild(el("p", { text: "Sources:" }));
    box.appendChild(ol);
    return box;
  };

  window.AtlasSite = { init: function (map) { return new AtlasSite(map); } };
})();

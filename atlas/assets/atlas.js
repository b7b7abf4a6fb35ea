/* DSR Atlas map behaviour. All text from the data is inserted with textContent, never as HTML. */
(function () {
  "use strict";

  var D = window.ATLAS_DATA;
  var NODATA_FILL = "url(#atlas-nodata)";

  /* Shapes come quantised and delta-encoded (see atlas/webgeom.py: encode); they are
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
    // The controls first, then the country shapes (nothing measures the page in between: see
    // buildLayerControl).
    this.buildHeader();
    this.buildLayerControl();
    this.buildLegend();
    this.buildPanel();
    this.buildGeometry();
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
  var DETAIL_ZOOM = 3;

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
      el("a", { href: "data/atlas.gpkg", download: "", text: "atlas.gpkg" }), " · ",
      el("a", { href: "data/atlas.csv", download: "", text: "atlas.csv" }), " (",
      el("a", { href: "data/atlas-excel.csv", download: "", text: "for Excel" }), ") · ",
      el("a", { href: "data/datapackage.json", download: "", text: "datapackage.json" }), " · ",
      el("a", { href: "changes.html", text: "what changed" }), " · per layer (CSV): "
    ];
    D.layers.forEach(function (l, i) {
      if (i) downloads.push(" · ");
      downloads.push(el("a", { href: "data/" + encodeURIComponent(l.id) + ".csv", download: "", text: l.id }));
    });
    var self = this;
    var tableButton = el("button", { type: "button", id: "atlas-table-button", text: "Table" });
    tableButton.addEventListener("click", function () { self.openTable(); });
    var box = el("div", { className: "atlas-box atlas-header", id: "atlas-header" }, [
      el("h1", { text: D.meta.title }),
      el("p", { className: "atlas-downloads", text: "Data version " + D.meta.data_version + ". Downloads: " }, downloads),
      this.buildSearch(),
      el("div", { className: "atlas-actions" }, [tableButton, el("a", { href: "about.html", text: "About, sources & methodology" })])
    ]);
    var Header = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () { L.DomEvent.disableClickPropagation(box); return box; }
    });
    new Header().addTo(this.map);
  };

  /* Search by English name, Chinese name or ISO code; arrow keys, Enter and Escape work. */
  AtlasSite.prototype.buildSearch = function () {
    var self = this;
    var entries = Object.keys(D.countries).sort().map(function (k) {
      var c = D.countries[k];
      return { iso3: k, name: c.name, zh: c.name_zh || "", hay: (c.name + " " + (c.name_zh || "") + " " + k).toLowerCase() };
    });
    var input = el("input", { type: "search", id: "atlas-search", placeholder: "Find a country (name, ISO)",
      role: "combobox", "aria-expanded": "false", "aria-controls": "atlas-search-list", "aria-autocomplete": "list",
      "aria-label": "Find a country by English name, Chinese name or ISO code", autocomplete: "off" });
    // The hint that Chinese names work too is shown just after the first paint: finding a font for
    // 中文 is the slowest part of the page's first layout (tens of ms), and the map need not wait.
    requestAnimationFrame(function () {
      setTimeout(function () { input.placeholder = "Find a country (name, 中文, ISO)"; }, 0);
    });
    var list = el("ul", { id: "atlas-search-list", role: "listbox", hidden: "" });
    var hits = [], active = -1;
    function render() {
      list.textContent = "";
      hits.forEach(function (h, i) {
        var li = el("li", { role: "option", id: "atlas-opt-" + h.iso3, "data-iso3": h.iso3, "aria-selected": i === active ? "true" : "false",
          text: h.name + (h.zh ? " · " + h.zh : "") + " (" + h.iso3 + ")" });
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(h.iso3); });
        list.appendChild(li);
      });
      var open = hits.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", "atlas-opt-" + hits[active].iso3);
      else input.removeAttribute("aria-activedescendant");
    }
    function choose(iso3) {
      hits = []; active = -1; render();
      input.value = D.countries[iso3].name;
      self.showCountry(iso3, true);
      self.panel.focus();  // keyboard and screen-reader users land on the details
    }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      if (!q) { hits = []; active = -1; render(); return; }
      var exact = entries.filter(function (x) { return x.iso3.toLowerCase() === q; });
      var rest = entries.filter(function (x) { return x.iso3.toLowerCase() !== q && x.hay.indexOf(q) >= 0; });
      rest.sort(function (a, b) { return (a.name.toLowerCase().indexOf(q) === 0 ? 0 : 1) - (b.name.toLowerCase().indexOf(q) === 0 ? 0 : 1); });
      hits = exact.concat(rest).slice(0, 8);
      active = hits.length ? 0 : -1;
      render();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && hits.length) { active = (active + 1) % hits.length; render(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp" && hits.length) { active = (active - 1 + hits.length) % hits.length; render(); ev.preventDefault(); }
      else if (ev.key === "Enter" && active >= 0) { choose(hits[active].iso3); ev.preventDefault(); }
      else if (ev.key === "Escape" && hits.length) { hits = []; active = -1; render(); ev.stopPropagation(); }
    });
    input.addEventListener("blur", function () { hits = []; active = -1; render(); });
    return el("div", { className: "atlas-search" }, [input, list]);
  };

  /* The table view: every country × layer, sortable and filterable; its CSV is what it shows. */
  AtlasSite.prototype.tableColumns = function () {
    var cols = [{ key: "name", title: "Country", get: function (k) { return D.countries[k].name; } },
                { key: "iso3", title: "ISO3", get: function (k) { return k; } },
                { key: "continent", title: "Continent", get: function (k) { return D.countries[k].continent || ""; } }];
    D.layers.forEach(function (l) {
      cols.push({ key: l.id, title: l.title, get: function (k) {
        var rec = D.countries[k].layers[l.id];
        if (!rec) return "";
        if (l.rows === "composite") return rec.score.toFixed(2);
        if (l.rows === "many") return String(rec.count);
        return valueLabel(l, rec);
      } });
    });
    return cols;
  };

  AtlasSite.prototype.openTable = function () {
    var self = this;
    if (!this.tableView) {
      this.sortKey = "name"; this.sortDir = 1;
      var filter = el("input", { type: "search", id: "atlas-table-filter", placeholder: "Filter rows", "aria-label": "Filter the table" });
      var onlyData = el("input", { type: "checkbox", id: "atlas-table-data" });
      var csv = el("button", { type: "button", id: "atlas-table-csv", text: "Download CSV of this view" });
      var close = el("button", { type: "button", text: "Back to the map" });
      this.tableBody = el("tbody");
      this.tableHead = el("tr");
      this.tableCount = el("span", { id: "atlas-table-count" });
      filter.addEventListener("input", function () { self.renderTable(); });
      onlyData.addEventListener("change", function () { self.renderTable(); });
      csv.addEventListener("click", function () { self.downloadCsv(); });
      close.addEventListener("click", function () { self.tableView.classList.remove("open"); document.getElementById("atlas-table-button").focus(); });
      this.tableFilter = filter; this.tableOnlyData = onlyData;
      this.tableView = el("section", { className: "atlas-tableview", id: "atlas-tableview", "aria-label": "Table of all countries and layers" }, [
        el("div", { className: "bar" }, [el("h2", { text: "All countries × layers" }), filter,
          el("label", {}, [onlyData, " only countries with data"]), csv, close, this.tableCount]),
        el("table", { className: "atlas-table" }, [el("thead", {}, [this.tableHead]), this.tableBody])
      ]);
      this.map.getContainer().appendChild(this.tableView);
      L.DomEvent.disableClickPropagation(this.tableView);
      L.DomEvent.disableScrollPropagation(this.tableView);
    }
    this.renderTable();
    this.tableView.classList.add("open");
    this.tableFilter.focus();
  };

  AtlasSite.prototype.tableRows = function () {
    var cols = this.tableColumns();
    var q = this.tableFilter.value.trim().toLowerCase();
    var onlyData = this.tableOnlyData.checked;
    var key = this.sortKey, dir = this.sortDir;
    var col = cols.filter(function (c) { return c.key === key; })[0] || cols[0];
    var rows = Object.keys(D.countries).filter(function (k) {
      if (onlyData && !Object.keys(D.countries[k].layers).length) return false;
      if (!q) return true;
      return cols.some(function (c) { return c.get(k).toLowerCase().indexOf(q) >= 0; }) ||
        (D.countries[k].name_zh || "").indexOf(q) >= 0;
    });
    rows.sort(function (a, b) {
      var va = col.get(a), vb = col.get(b);
      if (va === "" && vb !== "") return 1;  // no data sorts last either way
      if (vb === "" && va !== "") return -1;
      var na = parseFloat(va), nb = parseFloat(vb);
      var cmp = (!isNaN(na) && !isNaN(nb)) ? na - nb : va.localeCompare(vb);
      return (cmp || a.localeCompare(b)) * dir;
    });
    return { cols: cols, rows: rows };
  };

  AtlasSite.prototype.renderTable = function () {
    var self = this;
    var t = this.tableRows();
    this.tableHead.textContent = "";
    t.cols.forEach(function (c) {
      var b = el("button", { type: "button", text: c.title });
      b.addEventListener("click", function () {
        self.sortDir = self.sortKey === c.key ? -self.sortDir : 1;
        self.sortKey = c.key;
        self.renderTable();
      });
      var sort = self.sortKey === c.key ? (self.sortDir > 0 ? "ascending" : "descending") : "none";
      self.tableHead.appendChild(el("th", { scope: "col", "aria-sort": sort, "data-key": c.key }, [b]));
    });
    this.tableBody.textContent = "";
    t.rows.forEach(function (k) {
      var name = el("a", { href: "#country=" + k, text: D.countries[k].name });
      name.addEventListener("click", function (ev) { ev.preventDefault(); self.tableView.classList.remove("open"); self.showCountry(k, true); });
      var cells = t.cols.map(function (c, i) { return el("td", {}, [i === 0 ? name : (c.get(k) || (c.key === "iso3" ? k : "—"))]); });
      self.tableBody.appendChild(el("tr", { "data-iso3": k }, cells));
    });
    this.tableCount.textContent = t.rows.length + " of " + Object.keys(D.countries).length + " countries (— = no data)";
  };

  function csvCell(v) {
    v = String(v);
    if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;  // keep spreadsheets from running it as a formula
    return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  AtlasSite.prototype.downloadCsv = function () {
    var t = this.tableRows();
    var lines = [t.cols.map(function (c) { return csvCell(c.title); }).join(",")];
    t.rows.forEach(function (k) { lines.push(t.cols.map(function (c) { return csvCell(c.get(k)); }).join(",")); });
    var text = lines.join("\r\n") + "\r\n";
    this.lastCsv = text;
    var a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" })), download: "atlas-table.csv" });
    document.body.appendChild(a); a.click(); a.remove();
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
    var control = L.control.layers(named, {}, { collapsed: false, position: "topleft" });
    // Leaflet's expand() measures the page to fit the list in the map: a layout forced in the
    // middle of the first drawing. Expand without measuring now, and measure
    // once the map has been painted.
    var expand = control.expand;
    control.expand = function () {
      L.DomUtil.addClass(this._container, "leaflet-control-layers-expanded");
      return this;
    };
    this.control = control.addTo(this.map);
    requestAnimationFrame(function () {
      setTimeout(function () { control.expand = expand; control.expand(); }, 0);
    });
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
    if (D.meta.pictures) {  // written by atlas build unless --no-pictures
      var base = "pictures/" + encodeURIComponent(layer.id);
      node.appendChild(el("p", { className: "atlas-pictures" }, [
        "Picture for reports: ",
        el("a", { href: base + ".png", download: "", text: "PNG" }), " · ",
        el("a", { href: base + ".svg", download: "", text: "SVG" })
      ]));
    }
  };

  AtlasSite.prototype.setLayer = function (id, initial) {
    var self = this;
    this.layer = id;
    document.body.setAttribute("data-layer", id);
    if (!initial) this.geo.eachLayer(function (lyr) { lyr.setStyle(self.style(lyr.atlasId)); });
    this.renderLegend();
    if (this.country) this.renderPanel(this.country);
    if (!initial || location.hash) this.writeHash();  // no state to keep on a plain first visit
  };

  AtlasSite.prototype.writeHash = function () {
    var h = "#layer=" + encodeURIComponent(this.layer) + (this.country ? "&country=" + encodeURIComponent(this.country) : "");
    if (location.hash !== h) history.replaceState(null, "", h);
  };

  AtlasSite.prototype.buildPanel = function () {
    var self = this;
    this.panel = el("aside", { className: "atlas-box atlas-panel", id: "atlas-panel", "aria-live": "polite", "aria-label": "Country details", tabindex: "-1" });
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

  AtlasSite.prototype.showCountry = function (iso3, zoom) {
    this.country = iso3;
    if (zoom && this.byId[iso3]) {
      var wide = window.innerWidth > 640;  // keep the country clear of the details panel
      this.map.fitBounds(this.byId[iso3].getBounds(), { maxZoom: 4, animate: false,
        paddingTopLeft: [wide ? 420 : 20, 20], paddingBottomRight: [wide ? 400 : 20, wide ? 20 : window.innerHeight * 0.55] });
    }
    this.renderPanel(iso3);
    this.writeHash();
  };

  /* A country's records in full: its summary (ATLAS_DATA) with its details, which are loaded
     from data/details/<ISO3>.js when its panel first opens (see atlas/site.py). */
  AtlasSite.prototype.renderPanel = function (iso3) {
    var self = this;
    var summary = D.countries[iso3];
    var details = (window.ATLAS_DETAILS || {})[iso3];
    if (!details && Object.keys(summary.layers).length) {
      this.panel.setAttribute("data-country", iso3);
      this.panel.setAttribute("aria-busy", "true");
      var script = document.createElement("script");
      script.src = "data/details/" + encodeURIComponent(iso3) + ".js";
      script.onload = function () { if (self.country === iso3) self.renderPanel(iso3); };
      document.head.appendChild(script);
      return;
    }
    this.panel.removeAttribute("aria-busy");
    var c = { name: summary.name, name_zh: summary.name_zh, layers: {} };
    Object.keys(summary.layers).forEach(function (lid) {
      c.layers[lid] = Object.assign({}, summary.layers[lid], details[lid]);
    });
    var p = this.panel;
    p.textContent = "";
    p.setAttribute("data-country", iso3);
    var close = el("button", { className: "atlas-close", type: "button", "aria-label": "Close details", text: "×" });
    close.addEventListener("click", function () { self.closePanel(); });
    p.appendChild(close);
    p.appendChild(el("h2", { text: c.name }));
    p.appendChild(el("p", { className: "zh", text: [c.name_zh, iso3].filter(Boolean).join(" · ") }));
    if (Object.keys(c.layers).length) p.appendChild(el("p", {}, [el("a", { href: "country/" + encodeURIComponent(iso3) + ".html", id: "atlas-country-page", text: "Country page (to cite or print)" })]));
    var active = layersById[this.layer];
    [active].concat(D.layers.filter(function (l) { return l !== active; })).forEach(function (layer) {
      var rec = c.layers[layer.id];
      var section = el("section", { "data-layer": layer.id }, [el("h3", { text: layer.title })]);
      if (!rec) {
        section.appendChild(el("p", { className: "nodata", text: layer.rows === "composite"
          ? "No score: fewer than " + layer.min_components + " of its layers have data for this country."
          : "No data: no record for this country in this layer." }));
        p.appendChild(section);
        return;
      }
      if (layer.rows === "composite") {
        section.appendChild(self.compositeDetails(layer, rec));
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
      section.appendChild(el("p", {}, [el("span", { className: "value", text: valueLabel(layer, rec) }), rec.year ? " (" + rec.year + ")" : "", " · ",
        el("a", { href: "about.html#rule-" + encodeURIComponent(layer.id) + "-" + encodeURIComponent(rec.value), text: "coding rule" })]));
      section.appendChild(self.recordDetails(layer, rec, false));
      p.appendChild(section);
    });
    p.classList.add("open");
  };

  /* How a composite score was made: each component's value, score and weight, or "missing". */
  AtlasSite.prototype.compositeDetails = function (layer, rec) {
    var box = el("div", { className: "atlas-composite" });
    box.appendChild(el("p", {}, [el("span", { className: "value", text: "Score " + rec.score.toFixed(2) }), " — " + valueLabel(layer, rec)]));
    var rows = rec.components.map(function (c) {
      var comp = layersById[c.layer];
      var cells = c.score === null
        ? [el("td", { text: comp.title }), el("td", { text: "no data" }), el("td", { text: "missing — not counted" }), el("td", { text: String(c.weight) })]
        : [el("td", { text: comp.title }), el("td", { text: valueLabel(comp, { value: c.value }) }), el("td", { text: c.score.toFixed(2) }), el("td", { text: String(c.weight) })];
      return el("tr", { "data-layer": c.layer }, cells);
    });
    box.appendChild(el("table", { className: "atlas-score" }, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "component" }), el("th", { text: "value" }), el("th", { text: "score" }), el("th", { text: "weight" })])]),
      el("tbody", {}, rows)
    ]));
    box.appendChild(el("p", { className: "atlas-formula", text: "Score = weighted mean of the scores of the components with data" + (rec.missing.length ? "; missing: " + rec.missing.map(function (m) { return layersById[m].title; }).join(", ") + " (left out, not counted as zero)." : ".") }));
    return box;
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
      ol.appendChild(el("li", { className: cit.stance === "contradicts" ? "against" : "" }, [
        cit.stance === "contradicts" ? el("strong", { text: "Against: " }) : null,
        link(src.url, src.title), who ? " — " + who : "", ", " + cit.locator,
        cit.evidence ? el("p", { text: cit.evidence }) : null,
        cit.quote ? el("blockquote", { text: "“" + cit.quote + "”" }) : null
      ]));
    });
    box.appendChild(el("p", { text: "Sources:" }));
    box.appendChild(ol);
    return box;
  };

  window.AtlasSite = { init: function (map) { return new AtlasSite(map); } };
})();

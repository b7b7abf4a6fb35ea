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

  /* Zoom stops where the detailed geometry's grid (0.01°, atlas/webgeom.py) stops being finer
     than a pixel; narrower windows than PHONE get the phone layout (see atlas.css). */
  var MAX_ZOOM = 6, PHONE = 640;
  function isPhone() { return window.innerWidth <= PHONE; }

  /* The class a count or score falls in: the class with the highest `min` it reaches
     (the same rule as atlas/config.py: class_at). */
  function classAt(classes, x, fallback) {
    var best = null;
    classes.forEach(function (c) {
      if (c.min !== null && c.min !== undefined && c.min <= x && (!best || c.min > best.min)) best = c;
    });
    return best ? best.value : fallback;
  }

  /* A class's rank for sorting: its `min`, or for ordinal layers its place in the class list
     (listed strongest first, so the first class ranks highest). */
  function classRank(layer, value) {
    var c = layer.classByValue[value];
    if (!c) return null;
    if (c.min !== null && c.min !== undefined) return c.min;
    return layer.classes.length - layer.classes.indexOf(c);
  }

  /* A composite's score from its components' values (the same rule as atlas/config.py: score). */
  function compositeScore(layer, values) {
    var parts = layer.components.map(function (c) {
      var v = values[c.layer] ? values[c.layer].value : null;
      var s = v === null ? null : (c.scores[String(v)] === undefined ? null : c.scores[String(v)]);
      return { layer: c.layer, weight: c.weight, value: v, score: s };
    });
    var present = parts.filter(function (p) { return p.score !== null; });
    if (present.length < layer.min_components) return null;
    var total = present.reduce(function (a, p) { return a + p.weight; }, 0);
    var score = Math.round(1000 * present.reduce(function (a, p) { return a + p.weight * p.score; }, 0) / total) / 1000;
    return { value: classAt(layer.classes, score, layer.classes[0].value), score: score, components: parts,
      missing: parts.filter(function (p) { return p.score === null; }).map(function (p) { return p.layer; }) };
  }

  /* The years any record names, for the "as of" control. */
  function recordYears() {
    var years = {};
    Object.keys(D.countries).forEach(function (k) {
      var layers = D.countries[k].layers;
      Object.keys(layers).forEach(function (lid) {
        (layers[lid].years || [layers[lid].year]).forEach(function (y) { if (typeof y === "number") years[y] = true; });
      });
    });
    return Object.keys(years).map(Number).sort(function (a, b) { return b - a; });
  }

  /* The companies some country's records name, by name. */
  function companyNames() {
    var seen = {};
    Object.keys(D.countries).forEach(function (k) {
      (D.countries[k].companies || []).forEach(function (n) { seen[n] = (seen[n] || 0) + 1; });
    });
    return seen;
  }

  function parseHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i > 0) {
        try { out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1)); } catch (e) { /* a malformed part is ignored */ }
      }
    });
    return out;
  }

  function AtlasSite(map) {
    var self = this;
    this.map = map;
    this.years = recordYears();
    this.companyCounts = companyNames();
    this.readState(parseHash());
    this.layer = this.layer || D.layers[0].id;
    this.computeRecords();
    map.setMinZoom(1);
    map.setMaxZoom(MAX_ZOOM);
    if (map.zoomControl) map.zoomControl.setPosition("bottomright");
    this.renderer = L.svg({ padding: 0.5 });
    this.buildFrame();
    map.invalidateSize();
    map.fitBounds([[-56, -170], [78, 180]], { animate: false });
    this.buildLegend();
    this.buildPanel();
    this.buildTable();
    this.buildGeometry();
    this.buildLabels();
    this.setLayer(this.layer, true);
    if (this.country) this.showCountry(this.country, { fit: true });
    window.addEventListener("hashchange", function () {
      var before = [self.layer, self.country, self.company, self.asOf].join("|");
      var h = parseHash();
      self.readState(h);
      if ([self.layer, self.country, self.company, self.asOf].join("|") === before) return;
      self.syncControls();
      self.computeRecords();
      self.setLayer(self.layer);
      if (self.country) self.showCountry(self.country, { fit: true });
      else self.closePanel();
    });
    document.body.setAttribute("data-atlas-ready", "1");
  }

  /* The state a permalink holds: layer, country, company and year. */
  AtlasSite.prototype.readState = function (h) {
    if (h.layer && layersById[h.layer]) this.layer = h.layer;
    this.country = D.countries[h.country] ? h.country : null;
    this.company = h.company && this.companyCounts[h.company] ? h.company : null;
    this.asOf = /^\d{4}$/.test(h.year || "") && this.years.indexOf(Number(h.year)) >= 0 ? Number(h.year) : null;
  };

  AtlasSite.prototype.syncControls = function () {
    var self = this;
    if (this.layerInputs) Object.keys(this.layerInputs).forEach(function (id) { self.layerInputs[id].checked = id === self.layer; });
    if (this.companySelect) this.companySelect.value = this.company || "";
    if (this.yearSelect) this.yearSelect.value = this.asOf === null ? "" : String(this.asOf);
  };

  /* The page's frame: a skip link, the header (banner) with search, the layer switcher and the
     other controls, and the map inside <main>. Controls come before the map in the DOM, so the
     Tab key reaches them first. */
  AtlasSite.prototype.buildFrame = function () {
    var self = this;
    var container = this.map.getContainer();
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", "Map (arrow keys pan, + and − zoom; choose a country with the search box or the table)");
    this.main = el("main", { id: "atlas-main" });
    container.parentNode.insertBefore(this.main, container);
    this.main.appendChild(container);
    var skip = el("a", { className: "atlas-skip", href: "#atlas-main", text: "Skip to the map" });
    skip.addEventListener("click", function (ev) { ev.preventDefault(); container.focus(); });
    document.body.insertBefore(skip, document.body.firstChild);
    document.body.insertBefore(this.buildHeader(), this.main);
    this.main.appendChild(el("p", { className: "atlas-print-note", text: D.meta.title + " — data version " +
      D.meta.data_version + (D.meta.data_date ? " (" + D.meta.data_date + ")" : "") }));
  };

  AtlasSite.prototype.buildHeader = function () {
    var self = this;
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
    var tableButton = el("button", { type: "button", id: "atlas-table-button", "aria-controls": "atlas-tableview", "aria-expanded": "false", text: "Table" });
    tableButton.addEventListener("click", function () { self.openTable(); });
    var copy = el("button", { type: "button", id: "atlas-copy-link", text: "Copy link" });
    copy.addEventListener("click", function () { self.copyLink(); });
    this.status = el("span", { className: "atlas-status", id: "atlas-status", role: "status" });

    var companies = Object.keys(this.companyCounts).sort(function (a, b) { return a.localeCompare(b); });
    this.companySelect = el("select", { id: "atlas-company" }, [el("option", { value: "", text: "All companies" })].concat(
      companies.map(function (n) { return el("option", { value: n, text: n + " (" + self.companyCounts[n] + ")" }); })));
    this.companySelect.addEventListener("change", function () { self.setCompany(self.companySelect.value || null); });
    this.yearSelect = el("select", { id: "atlas-year" }, [el("option", { value: "", text: "latest" })].concat(
      this.years.map(function (y) { return el("option", { value: String(y), text: String(y) }); })));
    this.yearSelect.addEventListener("change", function () { self.setYear(self.yearSelect.value ? Number(self.yearSelect.value) : null); });

    this.menu = el("div", { className: "atlas-menu", id: "atlas-menu" }, [
      el("span", { className: "atlas-field" }, [el("label", { "for": "atlas-company", text: "Company" }), this.companySelect]),
      el("span", { className: "atlas-field" }, [el("label", { "for": "atlas-year", text: "As of" }), this.yearSelect]),
      tableButton, copy,
      el("a", { href: "about.html", text: "About & sources" }),
      el("details", { className: "atlas-downloads" }, [el("summary", { text: "Downloads" }),
        el("p", { text: "Data version " + D.meta.data_version + ": " }, downloads)]),
      this.status
    ]);
    this.menuButton = el("button", { type: "button", id: "atlas-menu-button", className: "atlas-menu-button",
      "aria-expanded": "false", "aria-controls": "atlas-menu", text: "Filters & more" });
    this.menuButton.addEventListener("click", function () { self.toggleMenu(); });
    this.syncControls();
    return el("header", { className: "atlas-bar", id: "atlas-header" }, [
      el("h1", { text: D.meta.title }), this.buildSearch(), this.menuButton, this.menu, this.buildLayerControl()
    ]);
  };

  AtlasSite.prototype.toggleMenu = function (open) {
    open = open === undefined ? !this.menu.classList.contains("open") : open;
    this.menu.classList.toggle("open", open);
    this.menuButton.setAttribute("aria-expanded", open ? "true" : "false");
  };

  AtlasSite.prototype.copyLink = function () {
    var self = this, url = location.href;
    function said(text) { self.status.textContent = text; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () { said("Link copied."); },
        function () { said("Copy this link: " + url); });
    } else {
      said("Copy this link: " + url);
    }
  };

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
    // The shapes are not in the Tab order: search and the table reach every country.
    this.geo.bindTooltip(function (lyr) { return self.tooltip(lyr.atlasId); }, { sticky: true });
    this.geo.on("click", function (e) { self.showCountry(e.layer.atlasId, { fit: false }); });
    this.geo.on("mouseover", function (e) { e.layer.setStyle({ weight: 2, color: "#111" }); });
    this.geo.on("mouseout", function (e) { e.layer.setStyle(self.style(e.layer.atlasId)); });
    this.geo.addTo(this.map);
    // Chromium puts an SVG shape with focus listeners (Leaflet's, for the tooltip) in the Tab
    // order: 250 stops before the legend. Out of the order, the shapes stay clickable.
    this.geo.eachLayer(function (lyr) { lyr.getElement().setAttribute("tabindex", "-1"); });
    this.renderer._container.setAttribute("aria-hidden", "true");
    this.lod = "world";
    this.map.on("zoomend", function () { self.updateDetail(); self.updateLabels(); });
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

  /* Each country's main polygon (the largest by extent): where its label goes, and what is
     brought into view when it is selected (France's, not France with French Guiana). */
  function mainPolygon(latlngs) {
    var best = null, bestArea = -1;
    latlngs.forEach(function (rings) {
      var b = L.latLngBounds(rings[0]);
      var area = (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
      if (area > bestArea) { bestArea = area; best = { ring: rings[0], bounds: b }; }
    });
    return best;
  }

  function inside(ring, lat, lng) {
    var hit = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var a = ring[i], b = ring[j];
      if ((a.lat > lat) !== (b.lat > lat) && lng < (b.lng - a.lng) * (lat - a.lat) / (b.lat - a.lat) + a.lng) hit = !hit;
    }
    return hit;
  }

  /* A point inside the polygon near the middle of its extent, for the label. */
  function labelPoint(poly) {
    var b = poly.bounds, c = b.getCenter(), best = null, bestD = Infinity, n = 9;
    for (var i = 1; i < n; i++) {
      for (var j = 1; j < n; j++) {
        var lat = b.getSouth() + (b.getNorth() - b.getSouth()) * i / n;
        var lng = b.getWest() + (b.getEast() - b.getWest()) * j / n;
        var d = Math.pow(lat - c.lat, 2) + Math.pow(lng - c.lng, 2);
        if (d < bestD && inside(poly.ring, lat, lng)) { best = L.latLng(lat, lng); bestD = d; }
      }
    }
    return inside(poly.ring, c.lat, c.lng) ? c : (best || c);
  }

  /* Country names as labels, from the zoom at which each fits inside its main polygon. The
     labels repeat what search and the table say, so they are hidden from screen readers. */
  AtlasSite.prototype.buildLabels = function () {
    var self = this;
    var pane = this.map.createPane("atlas-labels");
    pane.setAttribute("aria-hidden", "true");
    this.labels = {};
    this.labelGroup = L.layerGroup().addTo(this.map);
    Object.keys(this.coarse).forEach(function (id) {
      var c = D.countries[id];
      var poly = mainPolygon(self.coarse[id]);
      if (!c || !poly) return;
      var text = el("span", { text: c.name });
      self.labels[id] = { poly: poly, width: c.name.length * 6.5 + 6, marker: L.marker(labelPoint(poly), {
        pane: "atlas-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "atlas-label", html: text, iconSize: null })
      }) };
    });
    this.updateLabels();
  };

  AtlasSite.prototype.updateLabels = function () {
    var self = this, zoom = this.map.getZoom(), shown = 0;
    Object.keys(this.labels).forEach(function (id) {
      var lab = self.labels[id], b = lab.poly.bounds;
      var sw = self.map.project(b.getSouthWest(), zoom), ne = self.map.project(b.getNorthEast(), zoom);
      var fits = zoom >= 2 && (ne.x - sw.x) >= lab.width && (sw.y - ne.y) >= 16;
      if (fits) shown++;
      if (fits !== self.labelGroup.hasLayer(lab.marker)) {
        if (fits) self.labelGroup.addLayer(lab.marker); else self.labelGroup.removeLayer(lab.marker);
      }
    });
    document.body.setAttribute("data-labels", String(shown));
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
    // 中文 is the slowest part of the page's first layout, and the map need not wait.
    requestAnimationFrame(function () {
      setTimeout(function () { input.placeholder = "Find a country (name, 中文, ISO)"; }, 0);
    });
    var list = el("ul", { id: "atlas-search-list", role: "listbox", "aria-label": "Countries found", hidden: "" });
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
      self.showCountry(iso3, { fit: true, from: input });
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

  /* The layer switcher: radio buttons in the header, open by default on a wide screen and
     folded behind a button on a phone. */
  AtlasSite.prototype.buildLayerControl = function () {
    var self = this;
    this.layerInputs = {};
    var list = el("fieldset", { className: "atlas-layer-list", id: "atlas-layer-list" }, [el("legend", { text: "Layer shown on the map" })]);
    D.layers.forEach(function (l) {
      var input = el("input", { type: "radio", name: "atlas-layer", value: l.id, id: "atlas-layer-" + l.id });
      input.checked = l.id === self.layer;
      input.addEventListener("change", function () { if (input.checked) self.setLayer(l.id); });
      self.layerInputs[l.id] = input;
      list.appendChild(el("label", { "for": "atlas-layer-" + l.id }, [input, el("span", { text: l.title })]));
    });
    this.layersButton = el("button", { type: "button", id: "atlas-layers-button", "aria-controls": "atlas-layer-list" });
    this.layersButton.addEventListener("click", function () { self.toggleLayers(); });
    this.layersBox = el("div", { className: "atlas-layers", id: "atlas-layers" }, [this.layersButton, list]);
    this.toggleLayers(!isPhone());
    return this.layersBox;
  };

  AtlasSite.prototype.toggleLayers = function (open) {
    open = open === undefined ? !this.layersBox.classList.contains("open") : open;
    this.layersBox.classList.toggle("open", open);
    this.layersButton.setAttribute("aria-expanded", open ? "true" : "false");
    this.layersButton.textContent = (open ? "Hide layers" : "Layer: " + layersById[this.layer].title);
  };

  AtlasSite.prototype.selectBase = function (id) {
    this.layerInputs[id].checked = true;
    this.setLayer(id);
  };

  /* ---- State: the records as of the chosen year, the company filter ---- */

  /* Each country's records as of this.asOf: a record dated after it is left out (no data then);
     a record without a year is always shown (the legend says so, the table marks it *);
     counts and composite scores are recomputed from what is left. */
  AtlasSite.prototype.computeRecords = function () {
    var Y = this.asOf, out = {};
    Object.keys(D.countries).forEach(function (k) {
      var src = D.countries[k].layers, got = {};
      D.layers.forEach(function (l) {
        var rec = src[l.id];
        if (!rec || l.rows === "composite") return;
        if (Y === null) { got[l.id] = rec; return; }
        if (l.rows === "many") {
          var ys = (rec.years || []).filter(function (y) { return y === null || y === undefined || y <= Y; });
          if (!ys.length) return;
          var dated = ys.filter(function (y) { return typeof y === "number"; });
          got[l.id] = { value: classAt(l.classes, ys.length, String(ys.length)), count: ys.length,
            year: dated.length ? Math.max.apply(null, dated) : null };
        } else if (typeof rec.year !== "number" || rec.year <= Y) {
          got[l.id] = rec;
        }
      });
      D.layers.forEach(function (l) {
        if (l.rows !== "composite") return;
        var s = Y === null ? src[l.id] : compositeScore(l, got);
        if (s) got[l.id] = s;
      });
      out[k] = got;
    });
    this.eff = out;
  };

  AtlasSite.prototype.record = function (iso3, layerId) {
    var c = this.eff[iso3];
    return c && c[layerId] ? c[layerId] : null;
  };

  AtlasSite.prototype.hasCompany = function (iso3) {
    return !this.company || ((D.countries[iso3] || {}).companies || []).indexOf(this.company) >= 0;
  };

  AtlasSite.prototype.setCompany = function (name) {
    this.company = name;
    this.syncControls();
    this.restyle();
    this.renderLegend();
    if (this.tableView.classList.contains("open")) this.renderTable();
    this.writeHash();
  };

  AtlasSite.prototype.setYear = function (year) {
    this.asOf = year;
    this.syncControls();
    this.computeRecords();
    this.restyle();
    this.renderLegend();
    if (this.tableView.classList.contains("open")) this.renderTable();
    if (this.country) this.renderPanel(this.country);
    this.writeHash();
  };

  AtlasSite.prototype.restyle = function () {
    var self = this;
    this.geo.eachLayer(function (lyr) { lyr.setStyle(self.style(lyr.atlasId)); });
    if (this.country && this.byId[this.country]) this.byId[this.country].bringToFront();
  };

  /* ---- The table ---- */

  /* Every country × layer, sortable and filterable; its CSV is what it shows, in full. */
  AtlasSite.prototype.tableColumns = function () {
    var self = this;
    var cols = [{ key: "name", title: "Country", get: function (k) { return D.countries[k].name; } },
                { key: "iso3", title: "ISO3", get: function (k) { return k; } },
                { key: "continent", title: "Region", get: function (k) { return D.countries[k].continent || ""; } },
                { key: "subregion", title: "Sub-region", get: function (k) { return D.countries[k].subregion || ""; } }];
    D.layers.forEach(function (l) {
      cols.push({ key: l.id, title: l.title, layer: l, get: function (k) {
        var rec = self.record(k, l.id);
        if (!rec) return "";
        if (l.rows === "composite") return rec.score.toFixed(2);
        if (l.rows === "many") return String(rec.count);
        return valueLabel(l, rec) + (self.asOf !== null && typeof rec.year !== "number" ? " *" : "");
      }, rank: function (k) {
        var rec = self.record(k, l.id);
        if (!rec) return null;
        if (l.rows === "composite") return rec.score;
        if (l.rows === "many") return rec.count;
        return l.scale === "ordinal" ? classRank(l, rec.value) : null;
      } });
    });
    cols.push({ key: "companies", title: "Companies", get: function (k) { return (D.countries[k].companies || []).join("; "); } });
    return cols;
  };

  AtlasSite.prototype.buildTable = function () {
    var self = this;
    this.sortKey = "name"; this.sortDir = 1;
    function select(id, label, first) {
      var s = el("select", { id: id }, [el("option", { value: "", text: first })]);
      s.addEventListener("change", function () { if (id === "atlas-table-region") self.fillSubregions(); self.renderTable(); });
      return { select: s, field: el("span", { className: "atlas-field" }, [el("label", { "for": id, text: label }), s]) };
    }
    var filter = el("input", { type: "search", id: "atlas-table-filter", placeholder: "Filter: name, value, company…", "aria-label": "Filter the table by any text it holds" });
    var onlyData = el("input", { type: "checkbox", id: "atlas-table-data" });
    var csv = el("button", { type: "button", id: "atlas-table-csv", text: "Download CSV of this view" });
    var close = el("button", { type: "button", id: "atlas-table-close", text: "Back to the map" });
    var region = select("atlas-table-region", "Region", "All regions");
    var subregion = select("atlas-table-subregion", "Sub-region", "All sub-regions");
    var regions = {};
    Object.keys(D.countries).forEach(function (k) { if (D.countries[k].continent) regions[D.countries[k].continent] = true; });
    Object.keys(regions).sort().forEach(function (r) { region.select.appendChild(el("option", { value: r, text: r })); });
    this.tableBody = el("tbody");
    this.tableHead = el("tr");
    this.tableCount = el("p", { id: "atlas-table-count", role: "status" });
    this.tableNote = el("p", { className: "atlas-table-note" });
    filter.addEventListener("input", function () { self.renderTable(); });
    onlyData.addEventListener("change", function () { self.renderTable(); });
    csv.addEventListener("click", function () { self.downloadCsv(); });
    close.addEventListener("click", function () { self.closeTable(); });
    this.tableFilter = filter; this.tableOnlyData = onlyData;
    this.tableRegion = region.select; this.tableSubregion = subregion.select;
    this.fillSubregions();
    this.tableView = el("section", { className: "atlas-tableview", id: "atlas-tableview", "aria-labelledby": "atlas-table-title" }, [
      el("div", { className: "bar" }, [el("h2", { id: "atlas-table-title", text: "All countries × layers" }), filter, region.field, subregion.field,
        el("label", {}, [onlyData, " only countries with data"]), csv, close]),
      this.tableNote, this.tableCount,
      el("table", { className: "atlas-table" }, [el("caption", { className: "atlas-visually-hidden", text: "Every country's value in each layer; the column buttons sort" }),
        el("thead", {}, [this.tableHead]), this.tableBody])
    ]);
    this.main.appendChild(this.tableView);
  };

  AtlasSite.prototype.fillSubregions = function () {
    var region = this.tableRegion.value, keep = this.tableSubregion.value, subs = {};
    Object.keys(D.countries).forEach(function (k) {
      var c = D.countries[k];
      if (c.subregion && (!region || c.continent === region)) subs[c.subregion] = true;
    });
    var s = this.tableSubregion;
    while (s.options.length > 1) s.remove(1);
    Object.keys(subs).sort().forEach(function (r) { s.appendChild(el("option", { value: r, text: r })); });
    s.value = subs[keep] ? keep : "";
  };

  AtlasSite.prototype.openTable = function () {
    this.renderTable();
    this.tableView.classList.add("open");
    document.getElementById("atlas-table-button").setAttribute("aria-expanded", "true");
    if (isPhone()) this.toggleMenu(false);
    this.tableFilter.focus();
  };

  AtlasSite.prototype.closeTable = function () {
    this.tableView.classList.remove("open");
    var button = document.getElementById("atlas-table-button");
    button.setAttribute("aria-expanded", "false");
    if (isPhone()) this.toggleMenu(true);
    button.focus();
  };

  AtlasSite.prototype.tableRows = function () {
    var self = this;
    var cols = this.tableColumns();
    var q = this.tableFilter.value.trim().toLowerCase();
    var onlyData = this.tableOnlyData.checked;
    var region = this.tableRegion.value, subregion = this.tableSubregion.value;
    var key = this.sortKey, dir = this.sortDir;
    var col = cols.filter(function (c) { return c.key === key; })[0] || cols[0];
    var rows = Object.keys(D.countries).filter(function (k) {
      var c = D.countries[k];
      if (onlyData && !Object.keys(self.eff[k]).length) return false;
      if (region && c.continent !== region) return false;
      if (subregion && c.subregion !== subregion) return false;
      if (!self.hasCompany(k)) return false;
      if (!q) return true;
      return cols.some(function (cc) { return cc.get(k).toLowerCase().indexOf(q) >= 0; }) ||
        (c.name_zh || "").indexOf(q) >= 0;
    });
    rows.sort(function (a, b) {
      var va = col.get(a), vb = col.get(b);
      if (va === "" && vb !== "") return 1;  // no data sorts last either way
      if (vb === "" && va !== "") return -1;
      var ra = col.rank ? col.rank(a) : null, rb = col.rank ? col.rank(b) : null;
      var cmp = (ra !== null && rb !== null) ? ra - rb : va.localeCompare(vb);
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
        self.tableHead.querySelector("th[data-key='" + c.key + "'] button").focus();
      });
      var sort = self.sortKey === c.key ? (self.sortDir > 0 ? "ascending" : "descending") : "none";
      self.tableHead.appendChild(el("th", { scope: "col", "aria-sort": sort, "data-key": c.key }, [b]));
    });
    this.tableBody.textContent = "";
    t.rows.forEach(function (k) {
      var name = el("a", { href: "#country=" + k, text: D.countries[k].name });
      name.addEventListener("click", function (ev) {
        ev.preventDefault();
        self.tableView.classList.remove("open");
        document.getElementById("atlas-table-button").setAttribute("aria-expanded", "false");
        self.showCountry(k, { fit: true, from: document.getElementById("atlas-table-button") });
        self.panel.focus();
      });
      var cells = t.cols.map(function (c, i) { return el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : { "data-key": c.key }, [i === 0 ? name : (c.get(k) || (c.key === "iso3" ? k : "—"))]); });
      self.tableBody.appendChild(el("tr", { "data-iso3": k }, cells));
    });
    var notes = [];
    if (this.company) notes.push("Only countries whose records name " + this.company + " (the company filter in the header).");
    if (this.asOf !== null) notes.push("As of " + this.asOf + ": records dated later are left out; * marks a record without a year, shown at every year.");
    this.tableNote.textContent = notes.join(" ");
    this.tableCount.textContent = t.rows.length + " of " + Object.keys(D.countries).length + " countries (— = no data)";
  };

  function csvCell(v) {
    v = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;  // keep spreadsheets from running it as a formula
    return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  /* A country's details (fields, citations) from data/details/<ISO3>.js, loaded once. */
  AtlasSite.prototype.loadDetails = function (iso3, done) {
    var store = window.ATLAS_DETAILS || {};
    if (store[iso3] || !Object.keys(D.countries[iso3].layers).length) { done(store[iso3] || {}); return; }
    this.waiting = this.waiting || {};
    if (this.waiting[iso3]) { this.waiting[iso3].push(done); return; }
    var waiting = this.waiting[iso3] = [done], self = this;
    var script = document.createElement("script");
    script.src = "data/details/" + encodeURIComponent(iso3) + ".js";
    script.onload = script.onerror = function () {
      delete self.waiting[iso3];
      waiting.forEach(function (f) { f((window.ATLAS_DETAILS || {})[iso3] || {}); });
    };
    document.head.appendChild(script);
  };

  /* The CSV of the rows shown, with what a researcher needs per layer: the value (label and
     code), year, confidence and the sources' titles and addresses (from each country's details). */
  AtlasSite.prototype.downloadCsv = function () {
    var self = this, t = this.tableRows(), left = t.rows.length, details = {};
    var head = ["country", "iso3", "region", "subregion", "companies"];
    D.layers.forEach(function (l) {
      if (l.rows === "composite") head.push(l.id + "_score", l.id);
      else head.push(l.id, l.id + "_value", l.id + "_year", l.id + "_confidence", l.id + "_sources", l.id + "_source_urls");
    });
    function sources(rec) {
      var cits = [];
      (rec.items || [rec]).filter(function (item) {
        return self.asOf === null || typeof item.year !== "number" || item.year <= self.asOf;
      }).forEach(function (item) { (item.citations || []).forEach(function (c) { cits.push(c); }); });
      var seen = {}, titles = [], urls = [];
      cits.forEach(function (c) {
        if (seen[c.source]) return;
        seen[c.source] = true;
        var s = D.sources[c.source] || { title: c.source };
        titles.push(s.title + (c.stance === "contradicts" ? " (against)" : ""));
        urls.push(s.url || "");
      });
      return [titles.join("; "), urls.filter(Boolean).join(" ")];
    }
    function write() {
      var lines = [head.map(csvCell).join(",")];
      t.rows.forEach(function (k) {
        var c = D.countries[k];
        var row = [c.name, k, c.continent || "", c.subregion || "", (c.companies || []).join("; ")];
        D.layers.forEach(function (l) {
          var rec = self.record(k, l.id);
          if (l.rows === "composite") { row.push(rec ? rec.score.toFixed(3) : "", rec ? valueLabel(l, rec) : ""); return; }
          if (!rec) { row.push("", "", "", "", "", ""); return; }
          var full = Object.assign({}, rec, (details[k] || {})[l.id] || {});
          var src = sources(full);
          row.push(l.rows === "many" ? String(rec.count) : valueLabel(l, rec), rec.value,
            typeof rec.year === "number" ? rec.year : "", rec.confidence || "", src[0], src[1]);
        });
        lines.push(row.map(csvCell).join(","));
      });
      var text = lines.join("\r\n") + "\r\n";
      var a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" })), download: "atlas-table.csv" });
      document.body.appendChild(a); a.click(); a.remove();
    }
    if (!left) { write(); return; }
    t.rows.forEach(function (k) {
      self.loadDetails(k, function (d) { details[k] = d; if (--left === 0) write(); });
    });
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

  /* A country's look: its class colour (hatched if no data), faded if the company filter
     leaves it out, and a thick outline if it is the selected country. */
  AtlasSite.prototype.style = function (iso3) {
    var layer = layersById[this.layer];
    var rec = this.record(iso3, this.layer);
    var s;
    if (!rec) s = { fillColor: NODATA_FILL, fillOpacity: 1, color: "#9e9e9e", weight: 0.5 };
    else {
      var c = layer.classByValue[rec.value];
      s = { fillColor: c ? c.color : "#000000", fillOpacity: 0.9, color: "#555", weight: 0.6 };
    }
    if (!this.hasCompany(iso3)) { s.fillOpacity = 0.15; s.color = "#bdbdbd"; }
    if (iso3 === this.country) { s.color = "#000000"; s.weight = 3; }
    return s;
  };

  AtlasSite.prototype.tooltip = function (iso3) {
    var c = D.countries[iso3];
    var layer = layersById[this.layer];
    var rec = this.record(iso3, this.layer);
    return el("div", { className: "atlas-tip" }, [
      el("strong", { text: c ? c.name : iso3 }),
      el("br"),
      el("span", { className: "atlas-tip-value", text: valueLabel(layer, rec) + (rec && rec.year ? " (" + rec.year + ")" : "") }),
      this.company && !this.hasCompany(iso3) ? el("span", { className: "atlas-tip-value", text: " · names no " + this.company }) : null
    ]);
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

  /* The legend: the active layer's classes with the number of countries in each, as of the
     chosen year; the year rule and the company filter are stated under it. */
  AtlasSite.prototype.renderLegend = function () {
    var self = this;
    var layer = layersById[this.layer];
    var counts = { _no_data: 0 };
    Object.keys(D.countries).forEach(function (k) {
      var rec = self.record(k, layer.id);
      if (!rec) counts._no_data++;
      else counts[rec.value] = (counts[rec.value] || 0) + 1;
    });
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
    if (this.asOf !== null) {
      node.appendChild(el("p", { className: "atlas-legend-note", id: "atlas-year-note", text: "As of " + this.asOf +
        ": records dated up to " + this.asOf + "; records without a year are shown at every year." }));
    }
    if (this.company) {
      var n = Object.keys(D.countries).filter(function (k) { return self.hasCompany(k); }).length;
      node.appendChild(el("p", { className: "atlas-legend-note", id: "atlas-company-note", text: n + " countries whose records name " +
        this.company + " (in any layer); the others are faded." }));
    }
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
    this.layer = id;
    document.body.setAttribute("data-layer", id);
    this.syncControls();
    if (!this.layersBox.classList.contains("open")) this.toggleLayers(false);  // the button names the layer
    if (!initial) this.restyle();
    this.renderLegend();
    if (this.tableView.classList.contains("open")) this.renderTable();
    if (this.country) this.renderPanel(this.country);
    if (!initial || location.hash) this.writeHash();  // no state to keep on a plain first visit
  };

  AtlasSite.prototype.writeHash = function () {
    var parts = [["layer", this.layer], ["country", this.country], ["company", this.company],
                 ["year", this.asOf === null ? null : String(this.asOf)]];
    var h = "#" + parts.filter(function (p) { return p[1]; }).map(function (p) {
      return p[0] + "=" + encodeURIComponent(p[1]);
    }).join("&");
    if (location.hash !== h) history.replaceState(null, "", h);
  };

  /* ---- The details panel (a side panel; on a phone, a sheet over the lower part of the map) ---- */

  AtlasSite.prototype.buildPanel = function () {
    var self = this;
    this.panel = el("section", { className: "atlas-box atlas-panel", id: "atlas-panel", "aria-label": "Country details", tabindex: "-1" });
    this.main.appendChild(this.panel);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      self.escape(e);
    });
  };

  /* Escape closes what was opened, the innermost first, and gives focus back to what opened it. */
  AtlasSite.prototype.escape = function (e) {
    var active = document.activeElement;
    if (this.menu.classList.contains("open") && isPhone() && !this.tableView.classList.contains("open")) {
      this.toggleMenu(false); this.menuButton.focus();
    } else if (this.layersBox.contains(active) && this.layersBox.classList.contains("open")) {
      this.toggleLayers(false); this.layersButton.focus();
    } else if (this.tableView.classList.contains("open")) {
      this.closeTable();
    } else if (this.panel.classList.contains("open")) {
      this.closePanel(true);
    } else {
      return;
    }
    e.preventDefault();
  };

  AtlasSite.prototype.closePanel = function (returnFocus) {
    var back = this.panelReturn;
    var was = this.country;
    this.country = null;
    this.panelReturn = null;
    this.panel.classList.remove("open");
    document.body.classList.remove("atlas-panel-open");
    if (was && this.byId[was]) this.byId[was].setStyle(this.style(was));
    this.writeHash();
    if (returnFocus) {
      if (back && document.body.contains(back) && back.offsetParent !== null) back.focus();
      else this.map.getContainer().focus();
    }
  };

  /* Select a country: outline it, open its details and bring it into view, clear of the
     panel. `fit` (search, table, permalink) zooms to it; a click only pans if it is hidden. */
  AtlasSite.prototype.showCountry = function (iso3, opts) {
    opts = opts || {};
    var before = this.country;
    if (!this.panel.classList.contains("open")) this.panelReturn = opts.from || document.activeElement;
    this.country = iso3;
    if (before && before !== iso3 && this.byId[before]) this.byId[before].setStyle(this.style(before));
    if (this.byId[iso3]) { this.byId[iso3].setStyle(this.style(iso3)); this.byId[iso3].bringToFront(); }
    this.panel.classList.add("open");
    document.body.classList.add("atlas-panel-open");
    this.renderPanel(iso3);
    this.reveal(iso3, !!opts.fit);
    this.writeHash();
  };

  /* The part of the map the panel does not cover, as Leaflet padding. */
  AtlasSite.prototype.freePadding = function () {
    var size = this.map.getSize(), open = this.panel.classList.contains("open");
    var top = 20, left = 20, right = 20, bottom = 20;
    if (this.layersBox.classList.contains("open") && !isPhone()) left += this.layersBox.offsetWidth;
    else top += this.layersBox.offsetHeight;
    if (open && isPhone()) bottom += this.panel.offsetHeight;
    else if (open) right += this.panel.offsetWidth + 10;
    return { tl: L.point(Math.min(left, size.x / 2), Math.min(top, size.y / 3)),
             br: L.point(Math.min(right, size.x / 2), Math.min(bottom, size.y * 0.7)) };
  };

  AtlasSite.prototype.reveal = function (iso3, fit) {
    if (!this.byId[iso3] || !this.coarse[iso3]) return;
    var bounds = mainPolygon(this.coarse[iso3]).bounds;
    var pad = this.freePadding(), map = this.map;
    if (!fit) {
      var size = map.getSize();
      var sw = map.latLngToContainerPoint(bounds.getSouthWest()), ne = map.latLngToContainerPoint(bounds.getNorthEast());
      if (sw.x >= pad.tl.x && ne.y >= pad.tl.y && ne.x <= size.x - pad.br.x && sw.y <= size.y - pad.br.y) return;
    }
    map.fitBounds(bounds, { paddingTopLeft: pad.tl, paddingBottomRight: pad.br, animate: false,
      maxZoom: fit ? 5 : Math.max(map.getZoom(), 2) });
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
      this.loadDetails(iso3, function () { if (self.country === iso3) self.renderPanel(iso3); });
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
    p.setAttribute("aria-label", "Details: " + c.name);
    var close = el("button", { className: "atlas-close", type: "button", "aria-label": "Close details", text: "×" });
    close.addEventListener("click", function () { self.closePanel(true); });
    p.appendChild(close);
    p.appendChild(el("h2", { text: c.name }));
    p.appendChild(el("p", { className: "zh", text: [c.name_zh, iso3].filter(Boolean).join(" · ") }));
    if (Object.keys(c.layers).length) p.appendChild(el("p", {}, [el("a", { href: "country/" + encodeURIComponent(iso3) + ".html", id: "atlas-country-page", text: "Country page (to cite or print)" })]));
    if (this.asOf !== null) p.appendChild(el("p", { className: "atlas-legend-note", text: "Every record is listed; those dated after " + this.asOf + " are marked and not shown on the map as of " + this.asOf + "." }));
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
        var asOf = self.record(iso3, layer.id);
        if (!asOf) {
          section.appendChild(el("p", { className: "nodata", text: "No score as of " + self.asOf + "." }));
        } else {
          section.appendChild(self.compositeDetails(layer, asOf));
        }
        p.appendChild(section);
        return;
      }
      var later = self.asOf !== null && !self.record(iso3, layer.id) ? el("p", { className: "atlas-later", text: "Dated after " + self.asOf + ": not shown as of " + self.asOf + "." }) : null;
      if (later) section.appendChild(later);
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

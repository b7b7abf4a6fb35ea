/* DSR Atlas map page, part 2 of 8: the map. The countries' shapes (world view, and the
   detailed ones loaded from data/geometry.js on zoom), their colours and tooltips, the
   no-data hatching, the labels, the legend, bringing a country into view clear of the
   panel, and the layer that holds the project points' marks (A.Marks).

   Relies on atlas-state.js (window.AtlasSite: the data, el, layersById, valueLabel, isPhone
   and the state: this.layer, this.country, this.record, this.hasCompany), on Leaflet (L) and
   on data/geometry-world.js (window.ATLAS_GEOMETRY). Adds methods to AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var D = A.data, el = A.el, layersById = A.layersById, valueLabel = A.valueLabel, isPhone = A.isPhone;

  var NODATA_FILL = "url(#atlas-nodata)";

  /* Shapes come quantised and delta-encoded (see atlas/world/webgeom.py: encode); they are
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

  /* A country's shape: a Leaflet polygon whose points are projected in one loop of arithmetic
     (Web Mercator, as Leaflet's EPSG3857 has it) rather than through Leaflet's chain of calls,
     which makes several objects per point: the countries' ten thousand points are projected at
     the first drawing and again at every zoom. (The page's map keeps Leaflet's default CRS.) */
  var MAX_LAT = 85.0511287798, DEG = Math.PI / 180;
  /* Web Mercator as Leaflet's EPSG3857 has it: a latitude's place down the world's pixel plane,
     as a fraction of its width (a longitude's across is lng / 360 + 0.5). The countries and
     the points' grid (atlas-points.js, and site/points.py for the first drawing) all use it. */
  function mercatorY(lat) {
    var s = Math.sin(Math.max(Math.min(lat, MAX_LAT), -MAX_LAT) * DEG);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  A.mercatorY = mercatorY;
  var CountryShape = L.Polygon.extend({
    _projectLatlngs: function (latlngs, result, bounds) {
      var map = this._map;
      if (!(latlngs[0] instanceof L.LatLng)) {
        for (var k = 0; k < latlngs.length; k++) this._projectLatlngs(latlngs[k], result, bounds);
        return;
      }
      var scale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin(), ring = new Array(latlngs.length);
      for (var i = 0; i < latlngs.length; i++) {
        var ll = latlngs[i];
        ring[i] = new L.Point(Math.round(scale * (ll.lng / 360 + 0.5)) - origin.x,
                              Math.round(scale * mercatorY(ll.lat)) - origin.y);
        bounds.extend(ring[i]);
      }
      result.push(ring);
    },
    /* A zoom without animation (a permalink, a country chosen in the table) makes Leaflet
       project and redraw every shape twice (view reset, then zoom end and move end); the second
       time, with the same zoom, origin and points, changes nothing and is skipped. A shape
       added to the map again gets a new path element, so it forgets what it drew. */
    onAdd: function () {
      this._projected = this._drawn = null;
      L.Polygon.prototype.onAdd.call(this);
    },
    _project: function () {
      var z = this._map.getZoom(), o = this._map.getPixelOrigin(), k = this._projected;
      if (k && k.z === z && k.x === o.x && k.y === o.y && k.latlngs === this._latlngs) return;
      L.Polygon.prototype._project.call(this);
      this._projected = { z: z, x: o.x, y: o.y, latlngs: this._latlngs };
    },
    _update: function () {
      var b = this._renderer && this._renderer._bounds, k = this._drawn;
      if (k && b && k.rings === this._rings && k.min.equals(b.min) && k.max.equals(b.max)) return;
      L.Polygon.prototype._update.call(this);
      if (b) this._drawn = { rings: this._rings, min: b.min, max: b.max };
    }
  });

  /* The project points' marks (atlas-points.js draws them): each an element made by its icon,
     placed at its point in the points pane. One set of listeners on the pane serves them all,
     where a Leaflet marker each would add its own listeners and map events (that made the
     first drawing wait on the marks). A mark is {icon, latlng, index (a point) or cell (a
     cluster)}, given its element (el) here; `site` answers a click (markClicked) and gives a
     tooltip (markTip). The pane is hidden while a zoom animates (leaflet-zoom-hide) and the
     marks are redrawn at its end. */
  A.Marks = L.Layer.extend({
    initialize: function (site) { this._site = site; this._marks = []; },
    onAdd: function () {
      var pane = this._map.getPane("atlas-points");
      L.DomUtil.addClass(pane, "leaflet-zoom-hide");
      L.DomEvent.on(pane, this._listeners(), this);
    },
    onRemove: function () {
      L.DomEvent.off(this._map.getPane("atlas-points"), this._listeners(), this);
      this.clear();
    },
    _listeners: function () { return { click: this._click, mouseover: this._over, mouseout: this._out }; },
    getEvents: function () { return { viewreset: this._placeAll }; },  // a new pixel origin
    add: function (m) {
      m.el = m.icon.createIcon();
      L.DomUtil.addClass(m.el, "leaflet-interactive");
      m.el.atlasMark = m;
      this._place(m);
      this._map.getPane("atlas-points").appendChild(m.el);
      this._marks.push(m);
    },
    remove: function (m) {
      L.DomUtil.remove(m.el);
      this._marks.splice(this._marks.indexOf(m), 1);
      if (this._tipFor === m) this._out();
    },
    clear: function () {
      this._marks.forEach(function (m) { L.DomUtil.remove(m.el); });
      this._marks = [];
      this._out();
    },
    _place: function (m) {
      var pos = this._map.latLngToLayerPoint(m.latlng).round();
      L.DomUtil.setPosition(m.el, pos);
      m.el.style.zIndex = pos.y;  // lower on the screen, in front (as Leaflet's markers)
    },
    _placeAll: function () { this._marks.forEach(this._place, this); },
    _markOf: function (e) {
      var t = e.target && e.target.closest ? e.target.closest(".leaflet-marker-icon") : null;
      return t && t.atlasMark;
    },
    _click: function (e) {
      var m = this._markOf(e);
      if (!m) return;
      L.DomEvent.stop(e);  // the map's own click (a country under the mark) is not the reader's
      if (this._map.dragging && this._map.dragging.moved()) return;
      this._site.markClicked(m);
    },
    _over: function (e) {
      var m = this._markOf(e);
      if (!m || m === this._tipFor) return;
      this._tip = this._tip || L.tooltip({ direction: "top", offset: [0, -8] });
      this._tip.setLatLng(m.latlng).setContent(this._site.markTip(m));
      this._tipFor = m;
      this._map.openTooltip(this._tip);
    },
    _out: function (e) {
      if (e && e.relatedTarget && this._tipFor && this._tipFor.el.contains(e.relatedTarget)) return;
      if (this._tip && this._map) this._map.closeTooltip(this._tip);
      this._tipFor = null;
    }
  });

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
      // The world view's shapes were simplified as a whole when the geodata was made
      // (geodata.web_encoding): Leaflet's own simplification is kept for the detailed ones.
      var lyr = new CountryShape(shape.latlngs, L.extend({ renderer: self.renderer, smoothFactor: 0 }, self.style(id)));
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
    Object.keys(this.byId).forEach(function (id) {
      self.byId[id].options.smoothFactor = want === "detail" ? 1 : 0;
      self.byId[id].setLatLngs(shapes[id]);
    });
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
      self.labels[id] = { poly: poly, name: c.name, width: c.name.length * 7.1 + 6, marker: null };
    });
    this.updateLabels();
  };

  /* A label's marker, made the first time the label fits (most never do at the world view). */
  function labelMarker(lab) {
    return lab.marker || (lab.marker = L.marker(labelPoint(lab.poly), {
      pane: "atlas-labels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "atlas-label", html: el("span", { text: lab.name }), iconSize: null })
    }));
  }

  AtlasSite.prototype.updateLabels = function () {
    if (!this.labelGroup) return;  // not built yet (see init)
    var self = this, zoom = this.map.getZoom(), shown = 0;
    Object.keys(this.labels).forEach(function (id) {
      var lab = self.labels[id], b = lab.poly.bounds;
      var sw = self.map.project(b.getSouthWest(), zoom), ne = self.map.project(b.getNorthEast(), zoom);
      var fits = zoom >= 2 && (ne.x - sw.x) >= lab.width && (sw.y - ne.y) >= 16;
      if (fits) shown++;
      if (fits) { if (!self.labelGroup.hasLayer(labelMarker(lab))) self.labelGroup.addLayer(lab.marker); }
      else if (lab.marker && self.labelGroup.hasLayer(lab.marker)) self.labelGroup.removeLayer(lab.marker);
    });
    document.body.setAttribute("data-labels", String(shown));
  };

  AtlasSite.prototype.restyle = function () {
    var self = this;
    this.geo.eachLayer(function (lyr) { lyr.setStyle(self.style(lyr.atlasId)); });
    if (this.country && this.byId[this.country]) this.byId[this.country].bringToFront();
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
      this.company && !this.hasCompany(iso3) ? el("span", { className: "atlas-tip-value", text: " · names no " + this.company + " " + this.companyScope() }) : null
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
      if (!self.hasCompany(k)) return;  // the company filter's countries only
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
        ": records dated up to " + this.asOf + "; a record dated later shows its earlier step in force then, if its sources give one; records without a year are shown at every year." }));
    }
    if (this.company) {
      var n = Object.keys(D.countries).filter(function (k) { return self.hasCompany(k); }).length;
      node.appendChild(el("p", { className: "atlas-legend-note", id: "atlas-company-note", text: n + " countries whose records name " +
        this.company + " " + this.companyScope() + " (counted above); the others are faded." }));
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
})(window.AtlasSite);

/* DSR Atlas map page, part 1 of 8: the namespace, the shared helpers and the page's state.

   Loaded first, as an ordinary script (not a module: the site is opened from file://), after
   data/atlas-data.js (window.ATLAS_DATA) and Leaflet (L). It defines window.AtlasSite: the
   helpers the other parts share (el, link, layersById, valueLabel, isPhone), the
   constructor `AtlasSite.Site` and `AtlasSite.init(map)`, which the page calls once every part
   has loaded. The later parts (atlas-map.js, atlas-controls.js, atlas-panel.js,
   atlas-table.js, atlas-points.js, atlas-points-legend.js, atlas-projects-table.js) add
   methods to AtlasSite.Site.prototype. This part holds the state a permalink keeps (layer, country,
   project, company, year, and the points' kind and status filters and whether they are shown;
   the points' part reads and writes its own) and each country's records as of the chosen
   year, with the composite scores recomputed for it (AtlasSite.compositeScore, the same rule
   as Python's). All text from the data is inserted with textContent, never as HTML. */
(function () {
  "use strict";

  var D = window.ATLAS_DATA;
  var A = window.AtlasSite = { data: D };

  /* ---- Shared helpers ---- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined) return;  // an attribute left out
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  /* Run `fn` once the page has been drawn and the browser is idle, so that a first click or key
     is not kept waiting behind what can come later (Safari has no requestIdleCallback). */
  function whenIdle(fn) {
    requestAnimationFrame(function () {
      if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 500 });
      else setTimeout(fn, 0);
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

  /* Zoom stops where the detailed geometry's grid (0.01°, atlas/world/webgeom.py) stops being
     finer than a pixel; narrower windows than PHONE get the phone layout (see atlas.css). */
  var MAX_ZOOM = 6, PHONE = 640;
  function isPhone() { return window.innerWidth <= PHONE; }

  /* The class a count or score falls in: the class with the highest `min` it reaches
     (the same rule as atlas/evidence/schema.py: class_at). */
  function classAt(classes, x, fallback) {
    var best = null;
    classes.forEach(function (c) {
      if (c.min !== null && c.min !== undefined && c.min <= x && (!best || c.min > best.min)) best = c;
    });
    return best ? best.value : fallback;
  }

  /* x to 3 decimals as Python's round(x, 3) does: to the nearest on the double's exact value,
     a tie to the even neighbour. A double lies exactly on a tie only as an odd multiple of 1/16
     (0.5625 gives 0.562); Math.round(1000 * x) / 1000 would round those up, and others too when
     1000 * x is itself rounded onto a tie (0.6625, stored just below it, would give 0.663). */
  function round3(x) {
    var sixteenths = x * 16;  // exact
    if (Math.floor(sixteenths) === sixteenths && sixteenths % 2 !== 0) {
      var n = Math.floor(x * 1000);  // exact too: x * 1000 is a half
      return (n % 2 === 0 ? n : n + 1) / 1000;
    }
    return Number(x.toFixed(3));  // toFixed rounds the exact value: no tie is left here
  }

  /* A composite's score from its components' values (the same rule as
     atlas/evidence/schema.py: CompositeSpec.score). */
  function compositeScore(layer, values) {
    var parts = layer.components.map(function (c) {
      var v = values[c.layer] ? values[c.layer].value : null;
      var s = v === null ? null : (c.scores[String(v)] === undefined ? null : c.scores[String(v)]);
      return { layer: c.layer, weight: c.weight, value: v, score: s };
    });
    var present = parts.filter(function (p) { return p.score !== null; });
    if (present.length < layer.min_components) return null;
    var total = present.reduce(function (a, p) { return a + p.weight; }, 0);
    var score = round3(present.reduce(function (a, p) { return a + p.weight * p.score; }, 0) / total);
    return { value: classAt(layer.classes, score, layer.classes[0].value), score: score, components: parts,
      missing: parts.filter(function (p) { return p.score === null; }).map(function (p) { return p.layer; }) };
  }

  /* The years any record names, for the "as of" control. */
  function recordYears() {
    var years = {};
    Object.keys(D.countries).forEach(function (k) {
      var layers = D.countries[k].layers;
      Object.keys(layers).forEach(function (lid) {
        var rec = layers[lid], steps = (rec.steps || []).map(function (s) { return s.year; });
        (rec.step_years || []).forEach(function (ys) { steps = steps.concat(ys); });
        (rec.years || [rec.year]).concat(steps).forEach(function (y) { if (typeof y === "number") years[y] = true; });
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

  /* ---- The page, built in order, and the state a permalink holds ---- */

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
    this.buildPoints();
    this.buildProjectsTable();
    this.setLayer(this.layer, true);
    if (this.project) this.showProject(this.project, { fit: true });
    else if (this.country) this.showCountry(this.country, { fit: true });
    window.addEventListener("hashchange", function () {
      var before = self.stateKey();
      var h = parseHash();
      self.readState(h);
      if (self.stateKey() === before) return;
      self.syncControls();
      self.computeRecords();
      self.setPointsOn(self.pointsOn);
      self.updatePoints();
      self.setLayer(self.layer);
      if (self.project) self.showProject(self.project, { fit: true });
      else if (self.country) self.showCountry(self.country, { fit: true });
      else self.closePanel();
    });
    this.keepFocusOnLeaving();
    window.addEventListener("pageshow", function (ev) { if (ev.persisted) self.restoreFocus(); });
    this.restoreFocus();
    // The country names come once the map is on screen: the reader sees countries and points
    // first. The page is ready (data-atlas-ready) once they are in.
    whenIdle(function () {
      self.buildLabels();
      document.body.setAttribute("data-atlas-ready", "1");
    });
  }

  /* Focus after Back: following a link out of the page (a source, a coding rule, a country page)
     notes in the history entry where it was (the panel's link, the table's row); coming back,
     from the back-forward cache or reloaded with the permalink, focus returns there. */
  AtlasSite.prototype.keepFocusOnLeaving = function () {
    var self = this;
    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a[href]") : null;
      if (!a || a.hasAttribute("download") || a.getAttribute("href").charAt(0) === "#") return;
      var where = null;
      if (self.panel.contains(a)) {
        where = { panel: self.panel.getAttribute("data-country") || "", project: self.panel.getAttribute("data-project") || "",
          index: [].indexOf.call(self.panel.querySelectorAll("a[href]"), a) };
      } else if (self.tableView.contains(a) && a.closest("tr[data-iso3]")) {
        where = { table: a.closest("tr[data-iso3]").getAttribute("data-iso3") };
      } else if (a.id) {
        where = { id: a.id };
      }
      if (where) history.replaceState({ atlasFocus: where }, "", location.href);
    }, true);
  };

  AtlasSite.prototype.restoreFocus = function () {
    var self = this, where = history.state && history.state.atlasFocus, tries = 0;
    if (!where) return;
    function panelLink() {
      var ready = !self.panel.hasAttribute("aria-busy") && self.panel.classList.contains("open") &&
        (self.panel.getAttribute("data-country") || "") === where.panel && (self.panel.getAttribute("data-project") || "") === where.project;
      return ready ? self.panel.querySelectorAll("a[href]")[where.index] : null;
    }
    (function attempt() {
      var target = null;
      if (where.panel !== undefined) target = panelLink();
      else if (where.table) {
        if (!self.tableView.classList.contains("open")) self.openTable();
        target = self.tableView.querySelector("tr[data-iso3='" + where.table.replace(/[^A-Z0-9_-]/gi, "") + "'] a");
      } else if (where.id) target = document.getElementById(where.id);
      if (target) { target.focus(); history.replaceState(null, "", location.href); return; }
      if (++tries < 100) setTimeout(attempt, 50);  // the panel's details load from their own script
    })();
  };

  /* The state a permalink holds: layer, country, company and year (and what readPointState
     reads: the project, the points' filters and whether they are shown). */
  AtlasSite.prototype.readState = function (h) {
    if (h.layer && layersById[h.layer]) this.layer = h.layer;
    this.country = D.countries[h.country] ? h.country : null;
    this.company = h.company && this.companyCounts[h.company] ? h.company : null;
    this.companyIn = h.companyin === "any" ? "any" : "layer";
    this.asOf = /^\d{4}$/.test(h.year || "") && this.years.indexOf(Number(h.year)) >= 0 ? Number(h.year) : null;
    this.readPointState(h);
  };

  AtlasSite.prototype.stateKey = function () {
    return JSON.stringify([this.layer, this.country, this.company, this.companyIn, this.asOf].concat(this.pointHashParts()));
  };

  AtlasSite.prototype.syncControls = function () {
    var self = this;
    if (this.layerInputs) Object.keys(this.layerInputs).forEach(function (id) { self.layerInputs[id].checked = id === self.layer; });
    if (this.companySelect) this.companySelect.value = this.company || "";
    if (this.companyInSelect) this.companyInSelect.value = this.companyIn;
    if (this.yearSelect) this.yearSelect.value = this.asOf === null ? "" : String(this.asOf);
    this.syncPointControls();
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
    var parts = [["layer", this.layer], ["country", this.country]].concat(this.pointHashParts().slice(0, 1),
      [["company", this.company], ["companyin", this.company && this.companyIn === "any" ? "any" : null], ["year", this.asOf === null ? null : String(this.asOf)]], this.pointHashParts().slice(1));
    var h = "#" + parts.filter(function (p) { return p[1]; }).map(function (p) {
      return p[0] + "=" + encodeURIComponent(p[1]);
    }).join("&");
    if (location.hash !== h) history.replaceState(null, "", h);
  };

  /* ---- State: the records as of the chosen year, the company filter ---- */

  /* The step of a record in force in year Y (the latest one at or before Y), as a summary
     marked `step` (its citations are in the record's details), or null. */
  function stepAsOf(rec, Y) {
    var earlier = (rec.steps || []).filter(function (s) { return s.year <= Y; });
    if (!earlier.length) return null;
    var s = earlier[earlier.length - 1];
    return { value: s.value, year: s.year, confidence: s.confidence, step: true };
  }

  /* The year in force in Y of each item of a many-rows layer's record that exists then: its own
     year (or none), else its latest step at or before Y (step_years); an item dated later
     without such a step is left out. */
  function itemYearsAsOf(rec, Y) {
    var steps = rec.step_years || [], out = [];
    (rec.years || []).forEach(function (y, i) {
      if (y === null || y === undefined || y <= Y) { out.push(y); return; }
      var earlier = (steps[i] || []).filter(function (s) { return s <= Y; });
      if (earlier.length) out.push(earlier[earlier.length - 1]);
    });
    return out;
  }

  /* Each country's records as of this.asOf: a record dated after it shows the earlier step in
     force then (steps.csv), else is left out (no data then); a record without a year is always
     shown (the legend says so, the table marks it *); counts and composite scores are
     recomputed from what is left. */
  AtlasSite.prototype.computeRecords = function () {
    var Y = this.asOf, out = {};
    Object.keys(D.countries).forEach(function (k) {
      var src = D.countries[k].layers, got = {};
      D.layers.forEach(function (l) {
        var rec = src[l.id];
        if (!rec || l.rows === "composite") return;
        if (Y === null) { got[l.id] = rec; return; }
        if (l.rows === "many") {
          var ys = itemYearsAsOf(rec, Y);
          if (!ys.length) return;
          var dated = ys.filter(function (y) { return typeof y === "number"; });
          got[l.id] = { value: classAt(l.classes, ys.length, String(ys.length)), count: ys.length,
            year: dated.length ? Math.max.apply(null, dated) : null };
        } else if (typeof rec.year !== "number" || rec.year <= Y) {
          got[l.id] = rec;
        } else {
          var step = stepAsOf(rec, Y);
          if (step) got[l.id] = step;
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

  /* The layers whose records the company filter reads: the active layer (a composite's
     components), or every layer when the reader chose "in any layer". */
  AtlasSite.prototype.companyLayers = function () {
    if (this.companyIn === "any") return null;
    var l = layersById[this.layer];
    return l.rows === "composite" ? l.components.map(function (c) { return c.layer; }) : [l.id];
  };

  /* Whether a country passes the company filter: its records in the active layer (by default)
     or in any layer name the company. */
  AtlasSite.prototype.hasCompany = function (iso3) {
    if (!this.company) return true;
    var c = D.countries[iso3] || {}, name = this.company, layers = this.companyLayers();
    if (!layers) return (c.companies || []).indexOf(name) >= 0;
    var by = c.companies_by_layer || {};
    return layers.some(function (lid) { return (by[lid] || []).indexOf(name) >= 0; });
  };

  /* How the company filter reads, for notes and file names: "in the Safe City layer" or "in any layer". */
  AtlasSite.prototype.companyScope = function () {
    return this.companyIn === "any" ? "in any layer" : "in the " + layersById[this.layer].title + " layer";
  };

  AtlasSite.prototype.setCompany = function (name, scope) {
    this.company = name;
    if (scope) this.companyIn = scope;
    this.syncControls();
    this.restyle();
    this.renderLegend();
    this.updatePoints();
    if (this.tableView.classList.contains("open")) this.renderTable();
    this.writeHash();
  };

  AtlasSite.prototype.setYear = function (year) {
    this.asOf = year;
    this.syncControls();
    this.computeRecords();
    this.restyle();
    this.renderLegend();
    this.updatePoints();
    if (this.tableView.classList.contains("open")) this.renderTable();
    if (this.country) this.renderPanel(this.country);
    if (this.project) this.renderProject(this.project);
    this.writeHash();
  };

  /* What the other parts use. */
  A.Site = AtlasSite;
  A.el = el;
  A.whenIdle = whenIdle;
  A.link = link;
  A.layersById = layersById;
  A.valueLabel = valueLabel;
  A.isPhone = isPhone;
  A.compositeScore = compositeScore;
  A.stepAsOf = stepAsOf;
  A.init = function (map) { return new AtlasSite(map); };
})();


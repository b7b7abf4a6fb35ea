/* DSR Atlas map page, part 6 of 7: the projects as points. An overlay over any layer (it can be
   switched off) drawn from data/points.js (window.ATLAS_POINTS): each point coloured by its
   status, marked by its kind's symbol, filled where its place is exact and hollow where it is
   approximate or coarser; clustered, with counts, where they crowd (a grid of our own, below:
   one pass over the shown points at each zoom or move, no clustering library). The kind and
   status filters, the company filter and the as-of year decide which are shown. Clicking a
   point opens the project's panel (#project=<id>); clicking a cluster zooms in to its points,
   or lists them where they cannot be told apart; its legend can be folded.

   The marks are made only for the cells in and around the view: one icon per kind × status ×
   filled, one element per drawn point or cluster (A.Marks). Points are not Tab stops and their
   pane is hidden from screen readers: the projects table (atlas-projects-table.js) reaches
   every project. Relies on atlas-state.js (the namespace and state), atlas-map.js
   (freePadding, Marks) and atlas-panel.js (the panel, loadDetails). Adds methods to
   AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var D = A.data, el = A.el, isPhone = A.isPhone;
  var P = window.ATLAS_POINTS || {};
  var LAYER = D.layers.filter(function (l) { return l.located && P[l.id]; })[0] || null;

  function fieldSpec(name) {
    var f = LAYER ? LAYER.fields.filter(function (x) { return x.name === name; })[0] : null;
    if (!f) return null;
    f.classByValue = {};
    (f.classes || []).forEach(function (c) { f.classByValue[c.value] = c; });
    return f;
  }
  var COLOR = LAYER ? fieldSpec(LAYER.point_color) : null;  // status
  var MARK = LAYER ? fieldSpec(LAYER.point_mark) : null;    // kind

  /* The projects: data/points.js column by column (a list per column, one entry per project;
     a project is its index i in them), with the few repeated words (kinds, statuses, places,
     countries) written as numbers into the layer's `codes` and read back once here, into lists
     of the same few strings. An object for one project (A.project) is made only when a panel
     or the table needs it, so 20,000 points cost no more than their columns and the marks. */
  var T = LAYER ? P[LAYER.id] : { count: 0, columns: {}, codes: {} }, N = T.count;
  /* Column `name`'s value for project i: its number read back as its word where coded. */
  function valueOf(name, i) {
    var v = T.columns[name][i], words = T.codes[name];
    return words && v !== null ? words[v] : v;
  }
  function column(name) {
    var values = T.columns[name] || [];
    return T.codes[name] ? values.map(function (_v, i) { return valueOf(name, i); }) : values;
  }
  var ID = column("id"), YEAR = column("year"), STEPS = column("steps"), COMPANIES = column("companies");
  var PRECISION = column("precision"), LON = column("lon"), LAT = column("lat");
  var MARKS = MARK ? column(MARK.name) : [], COLORS = COLOR ? column(COLOR.name) : [];
  var index = null, views = {};

  /* The year the points are shown as of (the page's this.asOf, kept by syncPointsYear). */
  var asOf = null;
  /* A project's status and year in force as of that year: its own from its year (always, for a
     project without one), else its latest earlier step (the points' `steps` column, from
     steps.csv), else null (it does not exist yet). */
  function inForce(i) {
    var y = YEAR[i];
    if (asOf === null || typeof y !== "number" || y <= asOf) return [COLORS[i], y];
    var earlier = (STEPS[i] || []).filter(function (s) { return s[1] <= asOf; });
    return earlier.length ? earlier[earlier.length - 1] : null;
  }
  function statusOf(i) { var f = inForce(i); return f ? f[0] : COLORS[i]; }

  /* A project as an object: its columns, and its status and year as of the chosen year (`step`:
     an earlier step's; `latest`: its own [status, year]). */
  function project(i) {
    var id = ID[i];
    if (views[id]) return views[id];
    var p = {}, f = inForce(i);
    Object.keys(T.columns).forEach(function (c) { p[c] = valueOf(c, i); });
    p.mark = MARKS[i]; p.color = COLORS[i];
    if (f && f[1] !== YEAR[i]) { p.color = f[0]; p.year = f[1]; p.step = true; p.latest = [COLORS[i], YEAR[i]]; }
    views[id] = p;
    return p;
  }
  function projectById(id) {
    if (!index) { index = {}; ID.forEach(function (x, i) { index[x] = i; }); }
    return Object.prototype.hasOwnProperty.call(index, id) ? project(index[id]) : null;
  }
  A.pointLayer = LAYER; A.projectCount = N; A.project = project; A.projectById = projectById;
  A.pointColor = COLOR; A.pointMark = MARK;

  /* Exact places are filled marks; approximate, city, province or country-only ones hollow. */
  function filled(i) { return PRECISION[i] === "exact"; }
  A.pointFilled = filled;

  /* Black or white, whichever reads better on `hex` (WCAG relative luminance). */
  function ink(hex) {
    var rgb = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) ? "#000" : "#fff";
  }

  function classColor(value) {
    var c = COLOR && COLOR.classByValue[value];
    return c && /^#[0-9a-f]{6}$/i.test(c.color) ? c.color : "#595959";
  }
  function classSymbol(value) {
    var c = MARK && MARK.classByValue[value];
    return c && c.symbol ? c.symbol : "•";
  }
  A.pointSymbol = classSymbol; A.pointColorOf = classColor;

  /* A point's mark: its element is built with textContent (the symbol comes from the data). */
  var PointIcon = L.DivIcon.extend({
    options: { iconSize: [24, 24], className: "" },  // room for a 12 px letter or two
    createIcon: function (old) {
      var o = this.options;
      var div = old && old.tagName === "DIV" ? old : document.createElement("div");
      div.textContent = o.symbol;
      this._setIconStyles(div, "icon");
      div.className += " atlas-point " + (o.filled ? "atlas-point-filled" : "atlas-point-hollow");
      if (o.filled) { div.style.background = o.color; div.style.color = ink(o.color); }
      else div.style.borderColor = o.color;
      return div;
    }
  });

  var ClusterIcon = L.DivIcon.extend({
    createIcon: function (old) {
      var div = old && old.tagName === "DIV" ? old : document.createElement("div");
      div.textContent = String(this.options.count);
      div.setAttribute("data-count", String(this.options.count));
      this._setIconStyles(div, "icon");
      div.className += " atlas-cluster";
      return div;
    }
  });

  /* One icon per kind × status × filled, made when first drawn. */
  var icons = {};
  function pointIcon(i) {
    var status = statusOf(i), key = MARKS[i] + "|" + status + "|" + filled(i);
    return icons[key] || (icons[key] = new PointIcon({ symbol: classSymbol(MARKS[i]), color: classColor(status),
                                                       filled: filled(i) }));
  }
  function clusterIcon(n) {
    var size = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
    return new ClusterIcon({ count: n, iconSize: [size, size] });
  }

  /* The clustering: a grid. At a zoom, each shown point falls in a square cell of CELL pixels
     of the world's pixel plane (Web Mercator, as Leaflet's EPSG3857 projects it); a cell with
     one point draws that point, a cell with more draws one cluster with their count, at their
     mean. Each step is one pass over the shown points (no distances between them), and only
     the cells in and around the view are drawn. The points' places on the plane are worked out
     once, as fractions of the world's width (MX, MY): at zoom z they are times 256 · 2^z.
     Cells of 80 pixels, the reach of Leaflet.markercluster's clusters: the biggest cluster
     mark (44 pixels) keeps clear of its neighbours, and the world view draws fewer marks. */
  var CELL = 80, MAX_LAT = 85.0511287798;
  var MX = new Float64Array(N), MY = new Float64Array(N);
  (function () {
    for (var i = 0; i < N; i++) {
      var lat = Math.max(Math.min(LAT[i], MAX_LAT), -MAX_LAT), s = Math.sin(lat * Math.PI / 180);
      MX[i] = LON[i] / 360 + 0.5;
      MY[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
  })();

  /* The shown points (their indexes) that fall in cell (cx, cy) at zoom z. */
  function cellMembers(shown, z, cx, cy) {
    var scale = 256 * Math.pow(2, z), out = [];
    for (var j = 0; j < shown.length; j++) {
      var i = shown[j];
      if (Math.floor(MX[i] * scale / CELL) === cx && Math.floor(MY[i] * scale / CELL) === cy) out.push(i);
    }
    return out;
  }
  /* The state a permalink keeps for the points: the project shown, the filters, on or off. */
  AtlasSite.prototype.readPointState = function (h) {
    this.project = h.project && projectById(h.project) ? h.project : null;
    this.kindFilter = MARK && h[MARK.name] && MARK.classByValue[h[MARK.name]] ? h[MARK.name] : null;
    this.statusFilter = COLOR && h[COLOR.name] && COLOR.classByValue[h[COLOR.name]] ? h[COLOR.name] : null;
    this.pointsOn = h.points !== "off";
  };

  AtlasSite.prototype.pointHashParts = function () {
    return [["project", this.project], [MARK ? MARK.name : "kind", this.kindFilter],
            [COLOR ? COLOR.name : "status", this.statusFilter], ["points", this.pointsOn ? null : "off"]];
  };

  AtlasSite.prototype.syncPointControls = function () {
    if (this.kindSelect) this.kindSelect.value = this.kindFilter || "";
    if (this.statusSelect) this.statusSelect.value = this.statusFilter || "";
    if (this.pointsToggle) this.pointsToggle.checked = this.pointsOn;
  };

  /* Whether a project (its index) is shown: its kind, its status as of the chosen year, the
     company filter (its own companies) and the as-of year (a project dated later is shown at its
     earlier step, if it has one; a project without a year is shown at every year). */
  AtlasSite.prototype.projectShown = function (i) {
    if (this.kindFilter && MARKS[i] !== this.kindFilter) return false;
    // Asked of every project at each change: the status in force is worked out (inForce, which
    // makes an array) only for a project dated after the as-of year.
    var y = YEAR[i], status = COLORS[i];
    if (asOf !== null && typeof y === "number" && y > asOf) {
      var f = inForce(i);
      if (!f) return false;
      status = f[0];
    }
    if (this.statusFilter && status !== this.statusFilter) return false;
    return !this.company || (COMPANIES[i] || []).indexOf(this.company) >= 0;
  };

  /* The points follow the page's as-of year: a change of year remakes the projects' objects and
     the marks (a mark's status may change with the year). */
  AtlasSite.prototype.syncPointsYear = function () {
    if (asOf === this.asOf) return;
    asOf = this.asOf;
    views = {};
    if (this.pointGroup) { this.pointGroup.clear(); this.pointMarks = {}; }
  };

  /* The projects shown, as objects (for the table). */
  AtlasSite.prototype.shownProjects = function () {
    var self = this;
    var out = [];
    for (var i = 0; i < N; i++) if (self.projectShown(i)) out.push(project(i));
    return out;
  };

  AtlasSite.prototype.buildPoints = function () {
    var self = this, map = this.map;
    this.shown = [];
    if (!LAYER) { this.pointGroup = null; return; }
    var pane = map.createPane("atlas-points");
    pane.setAttribute("aria-hidden", "true");
    map.createPane("atlas-selected").setAttribute("aria-hidden", "true");
    this.pointMarks = {};
    this.pointGroup = new A.Marks(this);
    map.on("moveend", function () { self.drawPoints(); });
    this.buildPointsLegend();
    if (this.pointsOn) this.pointGroup.addTo(map);
    this.updatePoints();
  };

  /* A mark clicked: a point opens its project's panel, a cluster zooms in (openCluster). */
  AtlasSite.prototype.markClicked = function (m) {
    if (m.index !== undefined) this.showProject(ID[m.index], { fit: false });
    else this.openCluster(m);
  };

  /* A mark's tooltip: the project's name, kind, status and year, or the cluster's count. */
  AtlasSite.prototype.markTip = function (m) {
    if (m.index === undefined) {
      return el("span", { text: m.cell.n + " projects (click to " +
        (m.cell.z >= this.map.getMaxZoom() ? "list them)" : "zoom in)") });
    }
    var p = project(m.index);
    return el("div", { className: "atlas-tip" }, [el("strong", { text: p.name || p.id }), el("br"),
      el("span", { className: "atlas-tip-value", text: [this.classLabel(MARK, p.mark), this.classLabel(COLOR, p.color),
        p.year ? String(p.year) : null].filter(Boolean).join(" · ") })]);
  };

  AtlasSite.prototype.classLabel = function (spec, value) {
    var c = spec && spec.classByValue[value];
    return c ? c.label : (value === null || value === undefined ? "" : String(value));
  };

  /* Which projects the filters show (this.shown: their indexes), drawn at once. */
  AtlasSite.prototype.updatePoints = function () {
    this.syncPointsYear();
    if (!this.pointGroup) return;
    var shown = [];
    for (var i = 0; i < N; i++) if (this.projectShown(i)) shown.push(i);
    this.shown = shown;
    this.pointsShown = shown.length;
    document.body.setAttribute("data-points-shown", String(this.pointsShown));
    this.drawPoints();
    this.renderPointsLegend();
    if (this.projectsView && this.projectsView.classList.contains("open")) this.renderProjectsTable();
  };

  /* Draw the marks of the cells in the view and half a view around it (the map can be dragged
     that far before the next moveend). A mark still right (same cell, same points) is kept. */
  AtlasSite.prototype.drawPoints = function () {
    var map = this.map, group = this.pointGroup;
    if (!group) return;
    if (!group._map) { document.body.setAttribute("data-points-ready", "1"); return; }
    var z = map.getZoom(), scale = 256 * Math.pow(2, z), b = map.getPixelBounds(), size = b.getSize();
    var x0 = Math.floor((b.min.x - size.x / 2) / CELL), x1 = Math.floor((b.max.x + size.x / 2) / CELL);
    var y0 = Math.floor((b.min.y - size.y / 2) / CELL), y1 = Math.floor((b.max.y + size.y / 2) / CELL);
    var w = x1 - x0 + 1, h = y1 - y0 + 1;
    var n = new Int32Array(w * h), first = new Int32Array(w * h), sx = new Float64Array(w * h), sy = new Float64Array(w * h);
    var shown = this.shown, j, i, px, py, cx, cy, c;
    for (j = 0; j < shown.length; j++) {
      i = shown[j]; px = MX[i] * scale; py = MY[i] * scale;
      cx = Math.floor(px / CELL) - x0; cy = Math.floor(py / CELL) - y0;
      if (cx < 0 || cx >= w || cy < 0 || cy >= h) continue;
      c = cy * w + cx;
      if (!n[c]) first[c] = i;
      n[c]++; sx[c] += px; sy[c] += py;
    }
    var old = this.pointMarks, marks = {}, add = [];
    for (c = 0; c < n.length; c++) {
      if (!n[c]) continue;
      cx = c % w + x0; cy = (c - c % w) / w + y0;
      var key = z + "/" + cx + "/" + cy + "/" + n[c] + "/" + first[c], m = old[key];
      if (m) { delete old[key]; marks[key] = m; continue; }
      if (n[c] === 1) {
        m = { latlng: new L.LatLng(LAT[first[c]], LON[first[c]]), index: first[c], icon: pointIcon(first[c]) };
      } else {
        m = { latlng: map.unproject(L.point(sx[c] / n[c], sy[c] / n[c]), z), cell: { z: z, x: cx, y: cy, n: n[c] },
              icon: clusterIcon(n[c]) };
      }
      marks[key] = m;
      add.push(m);
    }
    Object.keys(old).forEach(function (k) { group.remove(old[k]); });
    add.forEach(function (mk) { group.add(mk); });
    this.pointMarks = marks;
    document.body.setAttribute("data-points-ready", "1");
  };

  /* A cluster clicked: zoom in to its points; where they cannot be told apart (the last zoom,
     or all at one place), a list of them in a popup, each opening its project's panel. */
  AtlasSite.prototype.openCluster = function (mark) {
    var self = this, map = this.map, cell = mark.cell;
    var members = cellMembers(this.shown, cell.z, cell.x, cell.y);
    if (!members.length) return;
    var bounds = L.latLngBounds(members.map(function (i) { return [LAT[i], LON[i]]; }));
    var zoom = Math.min(map.getBoundsZoom(bounds), map.getMaxZoom());
    var onePlace = bounds.getNorthEast().equals(bounds.getSouthWest());
    if (zoom > map.getZoom() && !onePlace) { map.fitBounds(bounds, { maxZoom: zoom, animate: false }); return; }
    var LIST = 200, items = members.slice(0, LIST).map(function (i) {
      var p = project(i);
      var b = el("button", { type: "button", className: "atlas-cluster-item", text: p.name || p.id });
      b.addEventListener("click", function () { map.closePopup(); self.showProject(p.id, { fit: false, from: b }); });
      return el("li", {}, [b]);
    });
    var box = el("div", { className: "atlas-cluster-list" }, [
      el("p", { text: members.length + " projects here" + (members.length > LIST ? " (the first " + LIST +
        "; the Projects table lists them all)" : "") }), el("ul", {}, items)]);
    L.popup({ maxHeight: 260, autoPanPadding: [20, 20] }).setLatLng(mark.latlng).setContent(box).openOn(map);
  };

  AtlasSite.prototype.setPointsOn = function (on) {
    this.pointsOn = on;
    this.syncPointControls();
    if (this.pointGroup) {
      if (on && !this.pointGroup._map) this.pointGroup.addTo(this.map);
      else if (!on && this.pointGroup._map) this.map.removeLayer(this.pointGroup);
      this.drawPoints();
    }
    document.body.setAttribute("data-points", on ? "on" : "off");
    this.renderPointsLegend();
    this.writeHash();
  };

  AtlasSite.prototype.setPointFilter = function (which, value) {
    this[which] = value || null;
    this.syncPointControls();
    this.updatePoints();
    this.writeHash();
  };

  /* The filters for the header's menu ("Kind", "Status") and the overlay's switch. */
  AtlasSite.prototype.pointControls = function () {
    var self = this;
    if (!LAYER) return [];
    function select(id, label, spec, all, which) {
      var s = el("select", { id: id }, [el("option", { value: "", text: all })].concat(
        (spec ? spec.classes : []).map(function (c) { return el("option", { value: c.value, text: c.label }); })));
      s.addEventListener("change", function () { self.setPointFilter(which, s.value); });
      return { select: s, field: el("span", { className: "atlas-field" }, [el("label", { "for": id, text: label }), s]) };
    }
    var kind = select("atlas-kind", "Kind", MARK, "All kinds", "kindFilter");
    var status = select("atlas-status-filter", "Status", COLOR, "All statuses", "statusFilter");
    this.kindSelect = kind.select; this.statusSelect = status.select;
    return [kind.field, status.field];
  };

  AtlasSite.prototype.pointsSwitch = function () {
    var self = this;
    if (!LAYER) return null;
    this.pointsToggle = el("input", { type: "checkbox", id: "atlas-points-toggle" });
    this.pointsToggle.checked = this.pointsOn;
    this.pointsToggle.addEventListener("change", function () { self.setPointsOn(self.pointsToggle.checked); });
    return el("label", { className: "atlas-overlay", "for": "atlas-points-toggle" }, [this.pointsToggle,
      el("span", { text: "Projects as points (" + N + ")" })]);
  };

  /* The points' legend: statuses (colours), kinds (symbols), filled and hollow; folded on a
     phone, open on a wide screen. */
  AtlasSite.prototype.buildPointsLegend = function () {
    var self = this;
    var Legend = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        self.pointsLegendBody = el("div");
        self.pointsLegendTitle = el("summary");
        self.pointsLegend = el("details", {}, [self.pointsLegendTitle, self.pointsLegendBody]);
        self.pointsLegend.open = !isPhone();
        var box = el("div", { className: "atlas-box atlas-legend atlas-points-legend", id: "atlas-points-legend",
          role: "region", "aria-label": "Legend of the project points" }, [self.pointsLegend]);
        L.DomEvent.disableClickPropagation(box);
        return box;
      }
    });
    new Legend().addTo(this.map);
  };

  AtlasSite.prototype.renderPointsLegend = function () {
    if (!this.pointsLegend) return;
    var self = this, byStatus = {}, byKind = {};
    for (var i = 0; i < N; i++) { byKind[MARKS[i]] = true; byStatus[COLORS[i]] = byStatus[COLORS[i]] || 0; }
    this.shown.forEach(function (j) { var s = statusOf(j); byStatus[s] = (byStatus[s] || 0) + 1; });
    this.pointsLegendTitle.textContent = "Project points: " + this.pointsShown + " of " + N +
      (this.pointsOn ? "" : " (switched off)");
    var body = this.pointsLegendBody;
    body.textContent = "";
    var statuses = (COLOR ? COLOR.classes : []).filter(function (c) { return c.value in byStatus; }).map(function (c) {
      var sw = el("span", { className: "atlas-point-swatch atlas-point-filled" });
      sw.style.background = classColor(c.value);
      return el("li", { "data-value": c.value }, [sw, el("span", { text: c.label }), el("span", { className: "count", text: String(byStatus[c.value]) })]);
    });
    var kinds = (MARK ? MARK.classes : []).filter(function (c) { return byKind[c.value]; }).map(function (c) {
      return el("li", { "data-value": c.value }, [el("span", { className: "atlas-point-swatch atlas-point-hollow atlas-point-neutral", text: classSymbol(c.value) }), el("span", { text: c.label })]);
    });
    var fill = el("span", { className: "atlas-point-swatch atlas-point-filled atlas-point-neutral-fill" });
    body.appendChild(el("p", { className: "atlas-legend-sub", text: "Colour: status" }));
    body.appendChild(el("ul", { className: "atlas-legend-cols" }, statuses));
    body.appendChild(el("p", { className: "atlas-legend-sub", text: "Letter: kind" }));
    body.appendChild(el("ul", { className: "atlas-legend-cols" }, kinds));
    body.appendChild(el("ul", {}, [
      el("li", {}, [fill, el("span", { text: "filled: the exact place" })]),
      el("li", {}, [el("span", { className: "atlas-point-swatch atlas-point-hollow atlas-point-neutral" }),
        el("span", { text: "hollow: approximate, a city, a province or only the country" })]),
      el("li", {}, [el("span", { className: "atlas-point-swatch atlas-cluster-swatch", text: "5" }), el("span", { text: "a cluster of 5 projects" })])
    ]));
  };

  AtlasSite.prototype.unselectProject = function () {
    this.project = null;
    if (this.selectedMark) { this.map.removeLayer(this.selectedMark); this.selectedMark = null; }
  };

  /* Open a project's panel; `fit` (permalink, table) brings its point into view. */
  AtlasSite.prototype.showProject = function (id, opts) {
    var p = projectById(id);
    if (!p) return;
    opts = opts || {};
    if (!this.panel.classList.contains("open")) this.panelReturn = opts.from || document.activeElement;
    var before = this.country;
    this.country = null;
    if (before && this.byId[before]) this.byId[before].setStyle(this.style(before));
    this.unselectProject();
    this.project = id;
    this.selectedMark = L.circleMarker([p.lat, p.lon], { pane: "atlas-selected", radius: 14, weight: 3, color: "#000",
      fill: false, interactive: false }).addTo(this.map);
    this.panel.classList.add("open");
    document.body.classList.add("atlas-panel-open");
    this.renderProject(id);
    if (opts.fit) {
      var pad = this.freePadding(), d = 1.5;
      this.map.fitBounds([[p.lat - d, p.lon - d], [p.lat + d, p.lon + d]], { paddingTopLeft: pad.tl,
        paddingBottomRight: pad.br, maxZoom: 5, animate: false });
    }
    this.writeHash();
  };
})(window.AtlasSite);

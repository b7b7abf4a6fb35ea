/* DSR Atlas map page, part 6 of 8: the projects as points. An overlay over any layer (it can be
   switched off) drawn from data/points.js (window.ATLAS_POINTS): each point coloured by its
   status, marked by its kind's symbol, filled where its place is exact and hollow where it is
   approximate or coarser; clustered, with counts, where they crowd (a grid of our own, below:
   one pass over the shown points at each zoom or move, no clustering library). The kind and
   status filters, the company filter and the as-of year decide which are shown. Clicking a
   point opens the project's panel (#project=<id>); clicking a cluster zooms in to its points,
   or lists them where they cannot be told apart. The filters and the legend are in
   atlas-points-legend.js.

   The marks are made only for the cells in and around the view: one icon per kind × status ×
   filled, one element per drawn point or cluster (A.Marks). Points are not Tab stops and their
   pane is hidden from screen readers: the projects table (atlas-projects-table.js) reaches
   every project. Relies on atlas-state.js (the namespace and state), atlas-map.js
   (freePadding, Marks, mercatorY) and atlas-panel.js (the panel, loadDetails). Adds methods to
   AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var D = A.data, el = A.el;
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
     countries) written as numbers into the layer's `codes` and read back once, into lists of
     the same few strings. An object for one project (A.project) is made only when a panel or
     the table needs it, so 20,000 points cost no more than their columns and the marks.

     The columns come as a JSON text, read when first needed (need): a panel, a filter, a zoom
     or a year the first drawing does not cover, or else once the map is on screen. Until
     then the default view (every point shown, the latest year) is drawn from the layer's
     `first`: its grid's cells at the zooms a world view opens at, worked out when the site was
     built. Reading 20,000 points is most of what they cost the page, and the reader sees the
     map first. */
  var T = LAYER ? P[LAYER.id] : { count: 0, cell: 80, codes: {}, columns: {}, first: null }, N = T.count;
  var FIRST = T.first, CELL = T.cell;
  var ID, YEAR, STEPS, COMPANIES, PRECISION, LON, LAT, MARKS = [], COLORS = [], MX, MY;
  /* Column `name`'s value for project i: its number read back as its word where coded. */
  function valueOf(name, i) {
    var v = T.columns[name][i], words = T.codes[name];
    return words && v !== null ? words[v] : v;
  }
  function column(name) {
    var values = T.columns[name] || [];
    return T.codes[name] ? values.map(function (_v, i) { return valueOf(name, i); }) : values;
  }
  /* A word of a coded column from its number (the first drawing's cells are coded). */
  function word(name, code) { return code === null || !T.codes[name] ? code : T.codes[name][code]; }
  var loaded = false;
  function need() {
    if (loaded) return;
    loaded = true;
    if (typeof T.columns === "string") T.columns = JSON.parse(T.columns);
    ID = column("id"); YEAR = column("year"); STEPS = column("steps"); COMPANIES = column("companies");
    PRECISION = column("precision"); LON = column("lon"); LAT = column("lat");
    MARKS = MARK ? column(MARK.name) : []; COLORS = COLOR ? column(COLOR.name) : [];
    planePlaces();
    document.body.setAttribute("data-points-read", "1");
  }
  var index = null, views = {};

  /* The year the points are shown as of (the page's this.asOf, kept by syncPointsYear). */
  var asOf = null;
  /* A project's status and year in force as of that year: its own from its year (always, for a
     project without one), else its latest earlier step (the points' `steps` column, from
     steps.csv), else null (it does not exist yet). */
  function inForce(i) {
    need();
    var y = YEAR[i];
    if (asOf === null || typeof y !== "number" || y <= asOf) return [COLORS[i], y];
    var earlier = (STEPS[i] || []).filter(function (s) { return s[1] <= asOf; });
    return earlier.length ? earlier[earlier.length - 1] : null;
  }
  function statusOf(i) { var f = inForce(i); return f ? f[0] : COLORS[i]; }

  /* A project as an object: its columns, and its status and year as of the chosen year (`step`:
     an earlier step's; `latest`: its own [status, year]). */
  function project(i) {
    need();
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
    need();
    if (!index) { index = {}; ID.forEach(function (x, i) { index[x] = i; }); }
    return Object.prototype.hasOwnProperty.call(index, id) ? project(index[id]) : null;
  }
  A.pointLayer = LAYER; A.projectCount = N; A.project = project; A.projectById = projectById;
  A.pointColor = COLOR; A.pointMark = MARK;

  /* Exact places are filled marks; approximate, city, province or country-only ones hollow. */
  function filled(i) { need(); return precise(PRECISION[i]); }
  function precise(precision) { return precision === "exact"; }
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
  function pointIcon(i) { need(); return iconFor(MARKS[i], statusOf(i), filled(i)); }
  function iconFor(kind, status, isFilled) {
    var key = kind + "|" + status + "|" + isFilled;
    return icons[key] || (icons[key] = new PointIcon({ symbol: classSymbol(kind), color: classColor(status),
                                                       filled: isFilled }));
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
     Cells of CELL pixels (80, from the points file: the reach of Leaflet.markercluster's
     clusters): the biggest cluster mark (44 pixels) keeps clear of its neighbours, and the
     world view draws fewer marks. site/points.py makes the first drawing's cells the same way. */
  function planePlaces() {
    MX = new Float64Array(N); MY = new Float64Array(N);
    for (var i = 0; i < N; i++) {
      MX[i] = LON[i] / 360 + 0.5;
      MY[i] = A.mercatorY(LAT[i]);
    }
  }

  /* The shown points (their indexes) that fall in cell (cx, cy) at zoom z. */
  function cellMembers(shown, z, cx, cy) {
    need();
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
    need();
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
    need();
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
    // Drawn from `first`, the points are read once that drawing is on screen and the browser
    // is idle, and drawn again from them: the marks, the same, stay.
    if (!loaded) A.whenIdle(function () { self.readPoints(); });
  };

  /* Read the points (if the first drawing still stands in for them) and draw them. */
  AtlasSite.prototype.readPoints = function () {
    if (loaded && this.shown !== null) return;
    need();
    this.updatePoints();
  };

  /* Whether the first drawing serves the view: the points not read yet, every one shown (no
     filter, the latest year) and the map at a zoom it was made for. */
  AtlasSite.prototype.firstView = function () {
    return !loaded && !!FIRST && this.asOf === null && !this.kindFilter && !this.statusFilter && !this.company &&
      Object.prototype.hasOwnProperty.call(FIRST.zooms, String(this.map.getZoom()));
  };

  /* A mark clicked: a point opens its project's panel, a cluster zooms in (openCluster). */
  AtlasSite.prototype.markClicked = function (m) {
    need();
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

  /* Which projects the filters show (this.shown: their indexes; null while the first drawing
     serves, when all are), drawn at once. */
  AtlasSite.prototype.updatePoints = function () {
    this.syncPointsYear();
    if (!this.pointGroup) return;
    if (this.firstView()) {
      this.shown = null;
      this.pointsShown = N;
    } else {
      var shown = [];
      for (var i = 0; i < N; i++) if (this.projectShown(i)) shown.push(i);
      this.shown = shown;
      this.pointsShown = shown.length;
    }
    document.body.setAttribute("data-points-shown", String(this.pointsShown));
    this.drawPoints();
    this.renderPointsLegend();
    if (this.projectsView && this.projectsView.classList.contains("open")) this.renderProjectsTable();
  };

  /* The grid's cells with points in the window of cells x0…x1, y0…y1 at `scale`, row by row:
     [cx, cy, n, first point, mean x, mean y]. */
  function gridCells(shown, scale, x0, y0, x1, y1) {
    var w = x1 - x0 + 1, h = y1 - y0 + 1, j, i, px, py, cx, cy, c;
    var n = new Int32Array(w * h), first = new Int32Array(w * h), sx = new Float64Array(w * h), sy = new Float64Array(w * h);
    for (j = 0; j < shown.length; j++) {
      i = shown[j]; px = MX[i] * scale; py = MY[i] * scale;
      cx = Math.floor(px / CELL) - x0; cy = Math.floor(py / CELL) - y0;
      if (cx < 0 || cx >= w || cy < 0 || cy >= h) continue;
      c = cy * w + cx;
      if (!n[c]) first[c] = i;
      n[c]++; sx[c] += px; sy[c] += py;
    }
    var out = [];
    for (c = 0; c < n.length; c++) {
      if (n[c]) out.push([c % w + x0, (c - c % w) / w + y0, n[c], first[c], sx[c] / n[c], sy[c] / n[c]]);
    }
    return out;
  }

  /* Draw the marks of the cells in the view and half a view around it (the map can be dragged
     that far before the next moveend). A mark still right (same cell, same points) is kept. */
  AtlasSite.prototype.drawPoints = function () {
    var map = this.map, group = this.pointGroup;
    if (!group) return;
    if (!group._map) { document.body.setAttribute("data-points-ready", "1"); return; }
    if (this.shown === null && !this.firstView()) { this.updatePoints(); return; }  // a zoom `first` lacks
    var z = map.getZoom(), scale = 256 * Math.pow(2, z), b = map.getPixelBounds(), size = b.getSize();
    var x0 = Math.floor((b.min.x - size.x / 2) / CELL), x1 = Math.floor((b.max.x + size.x / 2) / CELL);
    var y0 = Math.floor((b.min.y - size.y / 2) / CELL), y1 = Math.floor((b.max.y + size.y / 2) / CELL);
    var cells = this.shown === null ? FIRST.zooms[String(z)].filter(function (c) {
      return c[0] >= x0 && c[0] <= x1 && c[1] >= y0 && c[1] <= y1;
    }) : gridCells(this.shown, scale, x0, y0, x1, y1);
    var old = this.pointMarks, marks = {}, add = [];
    cells.forEach(function (c) {
      var key = z + "/" + c[0] + "/" + c[1] + "/" + c[2] + "/" + c[3], m = old[key], i = c[3];
      if (m) { delete old[key]; marks[key] = m; return; }
      if (c[2] > 1) {
        m = { latlng: map.unproject(L.point(c[4], c[5]), z), cell: { z: z, x: c[0], y: c[1], n: c[2] }, icon: clusterIcon(c[2]) };
      } else if (loaded) {
        m = { latlng: new L.LatLng(LAT[i], LON[i]), index: i, icon: pointIcon(i) };
      } else {  // a lone point of the first drawing: [.., lat, lon, mark, colour, precision]
        m = { latlng: new L.LatLng(c[4], c[5]), index: i, icon: iconFor(word(MARK && MARK.name, c[6]),
          word(COLOR && COLOR.name, c[7]), precise(word("precision", c[8]))) };
      }
      marks[key] = m;
      add.push(m);
    });
    Object.keys(old).forEach(function (k) { group.remove(old[k]); });
    add.forEach(function (mk) { group.add(mk); });
    this.pointMarks = marks;
    document.body.setAttribute("data-points-ready", "1");
  };

  /* A cluster clicked: zoom in to its points; where they cannot be told apart (the last zoom,
     or all at one place), a list of them in a popup, each opening its project's panel. */
  AtlasSite.prototype.openCluster = function (mark) {
    var self = this, map = this.map, cell = mark.cell;
    this.readPoints();
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

  /* What the points' legend counts: the kinds the projects have, and the shown projects by
     their status as of the chosen year (by the first drawing's counts while it stands in). */
  AtlasSite.prototype.pointCounts = function () {
    var byStatus = {}, byKind = {};
    if (this.shown === null) {  // every point shown
      (MARK && T.codes[MARK.name] || []).forEach(function (k) { byKind[k] = true; });
      FIRST.status_counts.forEach(function (sc) { byStatus[word(COLOR && COLOR.name, sc[0])] = sc[1]; });
      return { kinds: byKind, statuses: byStatus };
    }
    for (var i = 0; i < N; i++) { byKind[MARKS[i]] = true; byStatus[COLORS[i]] = byStatus[COLORS[i]] || 0; }
    this.shown.forEach(function (j) { var s = statusOf(j); byStatus[s] = (byStatus[s] || 0) + 1; });
    return { kinds: byKind, statuses: byStatus };
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

/* DSR Atlas map page, part 8 of 8: the projects table, one row per project. The keyboard's and
   screen readers' way to every project (the points are not Tab stops): sortable by any
   column, filterable by any text it holds and by the header's kind, status, company and as-of
   filters (the same as the points'), shown 500 rows at a time ("Show more" reaches the rest),
   and "Download CSV of this view" with every filtered row, its place and its sources.

   Relies on atlas-state.js (window.AtlasSite: the data, el, isPhone, the state),
   atlas-points.js (the projects, projectShown, showProject, classLabel), atlas-panel.js
   (loadDetails) and atlas-table.js (csvCell, saveCsv). Adds methods to AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var D = A.data, el = A.el, isPhone = A.isPhone;
  var PAGE = 500;

  function countryName(iso3) { return (D.countries[iso3] || { name: iso3 }).name; }

  AtlasSite.prototype.projectColumns = function () {
    var self = this, K = A.pointMark, S = A.pointColor;
    function num(key) { return function (p) { return typeof p[key] === "number" ? p[key] : null; }; }
    return [
      { key: "name", title: "Project", get: function (p) { return p.name || p.id; } },
      { key: "country", title: "Country", get: function (p) { return countryName(p.iso3); } },
      { key: "kind", title: "Kind", get: function (p) { return self.classLabel(K, p.mark); },
        rank: function (p) { return K ? K.classes.indexOf(K.classByValue[p.mark]) : null; } },
      { key: "status", title: "Status", get: function (p) { return self.classLabel(S, p.color); },
        rank: function (p) { return S ? S.classes.indexOf(S.classByValue[p.color]) : null; } },
      { key: "year", title: "Year", get: function (p) { return p.year ? String(p.year) : ""; }, rank: num("year") },
      { key: "start_year", title: "Started", get: function (p) { return p.start_year ? String(p.start_year) : ""; }, rank: num("start_year") },
      { key: "completion_year", title: "Completed", get: function (p) { return p.completion_year ? String(p.completion_year) : ""; }, rank: num("completion_year") },
      { key: "companies", title: "Companies", get: function (p) { return (p.companies || []).join("; "); } },
      { key: "precision", title: "Place known", get: function (p) { return p.precision || ""; } }
    ];
  };

  AtlasSite.prototype.buildProjectsTable = function () {
    var self = this;
    this.projectsView = el("section", { className: "atlas-tableview", id: "atlas-projects-view", "aria-labelledby": "atlas-projects-title" });
    this.main.appendChild(this.projectsView);
    if (!A.pointLayer) return;
    this.projSortKey = "country"; this.projSortDir = 1; this.projLimit = PAGE;
    // No ellipsis in the placeholder: a character the page's first font lacks sends the
    // browser looking for a font for it while the map is still being drawn.
    this.projFilter = el("input", { type: "search", id: "atlas-projects-filter", placeholder: "Filter: name, country, company",
      "aria-label": "Filter the projects by any text the table holds" });
    this.projFilter.addEventListener("input", function () { self.projLimit = PAGE; self.renderProjectsTable(); });
    var csv = el("button", { type: "button", id: "atlas-projects-csv", text: "Download CSV of this view" });
    csv.addEventListener("click", function () { self.downloadProjectsCsv(); });
    var close = el("button", { type: "button", id: "atlas-projects-close", text: "Back to the map" });
    close.addEventListener("click", function () { self.closeProjects(); });
    this.projHead = el("tr");
    this.projBody = el("tbody");
    this.projCount = el("p", { id: "atlas-projects-count", role: "status" });
    this.projNote = el("p", { className: "atlas-table-note" });
    this.projMore = el("button", { type: "button", id: "atlas-projects-more", hidden: "" });
    this.projMore.addEventListener("click", function () {
      var first = self.projBody.children.length;
      self.projLimit += PAGE;
      self.renderProjectsTable();
      var next = self.projBody.children[first];
      if (next) next.querySelector("a").focus();
    });
    [el("div", { className: "bar" }, [el("h2", { id: "atlas-projects-title", text: "Projects" }), this.projFilter, csv, close]),
      this.projNote, this.projCount,
      el("table", { className: "atlas-table atlas-projects-table" }, [
        el("caption", { className: "atlas-visually-hidden", text: "Every project shown on the map, one row each; the column buttons sort" }),
        el("thead", {}, [this.projHead]), this.projBody]),
      this.projMore
    ].forEach(function (n) { self.projectsView.appendChild(n); });
  };

  AtlasSite.prototype.openProjects = function () {
    if (this.tableView.classList.contains("open")) this.closeTable();
    this.projLimit = PAGE;
    this.renderProjectsTable();
    this.projectsView.classList.add("open");
    document.getElementById("atlas-projects-button").setAttribute("aria-expanded", "true");
    if (isPhone()) this.toggleMenu(false);
    this.projFilter.focus();
  };

  AtlasSite.prototype.closeProjects = function (keepFocus) {
    this.projectsView.classList.remove("open");
    var button = document.getElementById("atlas-projects-button");
    button.setAttribute("aria-expanded", "false");
    if (keepFocus) return;
    if (isPhone()) this.toggleMenu(true);
    button.focus();
  };

  /* The rows: the projects the header's filters show, matching the text filter, sorted. */
  AtlasSite.prototype.projectRows = function () {
    var self = this, cols = this.projectColumns();
    var q = this.projFilter.value.trim().toLowerCase();
    var col = cols.filter(function (c) { return c.key === self.projSortKey; })[0] || cols[0], dir = this.projSortDir;
    var rows = this.shownProjects().filter(function (p) {
      if (!q) return true;
      return p.id.toLowerCase().indexOf(q) >= 0 || cols.some(function (c) { return c.get(p).toLowerCase().indexOf(q) >= 0; });
    });
    var keyed = rows.map(function (p) { return { p: p, v: col.get(p), r: col.rank ? col.rank(p) : null }; });
    keyed.sort(function (a, b) {
      if (a.v === "" && b.v !== "") return 1;  // empty cells sort last either way
      if (b.v === "" && a.v !== "") return -1;
      var cmp = (a.r !== null && b.r !== null) ? a.r - b.r : a.v.localeCompare(b.v);
      return (cmp || (a.p.id < b.p.id ? -1 : a.p.id > b.p.id ? 1 : 0)) * dir;
    });
    return { cols: cols, rows: keyed.map(function (k) { return k.p; }) };
  };

  AtlasSite.prototype.renderProjectsTable = function () {
    var self = this, t = this.projectRows();
    this.projHead.textContent = "";
    t.cols.forEach(function (c) {
      var b = el("button", { type: "button", text: c.title });
      b.addEventListener("click", function () {
        self.projSortDir = self.projSortKey === c.key ? -self.projSortDir : 1;
        self.projSortKey = c.key;
        self.renderProjectsTable();
        self.projHead.querySelector("th[data-key='" + c.key + "'] button").focus();
      });
      var sort = self.projSortKey === c.key ? (self.projSortDir > 0 ? "ascending" : "descending") : "none";
      self.projHead.appendChild(el("th", { scope: "col", "aria-sort": sort, "data-key": c.key }, [b]));
    });
    var body = el("tbody"), opener = document.getElementById("atlas-projects-button");
    t.rows.slice(0, this.projLimit).forEach(function (p) {
      var a = el("a", { href: "#project=" + encodeURIComponent(p.id), text: p.name || p.id });
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        self.closeProjects(true);
        self.showProject(p.id, { fit: true, from: opener });
        self.panel.focus();
      });
      body.appendChild(el("tr", { "data-project": p.id }, t.cols.map(function (c, i) {
        return i === 0 ? el("th", { scope: "row" }, [a]) : el("td", { "data-key": c.key, text: c.get(p) || "—" });
      })));
    });
    this.projBody.parentNode.replaceChild(body, this.projBody);
    this.projBody = body;
    var rest = t.rows.length - Math.min(this.projLimit, t.rows.length);
    this.projMore.hidden = rest <= 0;
    this.projMore.textContent = "Show " + Math.min(rest, PAGE) + " more (" + rest + " not listed yet)";
    var notes = [];
    if (this.kindFilter) notes.push("Kind: " + this.classLabel(A.pointMark, this.kindFilter) + ".");
    if (this.statusFilter) notes.push("Status: " + this.classLabel(A.pointColor, this.statusFilter) + ".");
    if (this.company) notes.push("Only projects naming " + this.company + ".");
    if (this.asOf !== null) notes.push("As of " + this.asOf + ": projects dated later are left out; those without a year are listed.");
    this.projNote.textContent = notes.length ? "The header's filters apply: " + notes.join(" ") : "";
    this.projCount.textContent = t.rows.length + " of " + A.projectCount + " projects" +
      (rest > 0 ? "; the first " + this.projLimit + " listed" : "");
  };

  /* The CSV of the rows shown (all of them, not only those listed yet), with each project's
     place, amount and sources from its country's details. Points imported from AidData's
     shapes derive from OpenStreetMap (ODbL): their coordinates are left out here, as in
     projects.csv (they are in aiddata-projects.geojson). */
  AtlasSite.prototype.downloadProjectsCsv = function () {
    var self = this, t = this.projectRows(), layer = A.pointLayer, details = {};
    var isos = {};
    t.rows.forEach(function (p) { isos[p.iso3] = true; });
    var pending = Object.keys(isos), left = pending.length;
    var head = ["id", "name", "country", "iso3", "kind", "status", "status_date", "year", "start_year", "completion_year",
      "companies", "amount_usd", "funding", "implementing", "precision", "place", "lon", "lat", "origin", "confidence",
      "sources", "source_urls"];
    function write() {
      var q = self.projFilter.value.trim();
      var lines = [A.settingsLine([["projects", "all shown by the header's filters"], ["kind", self.kindFilter], ["status", self.statusFilter],
        ["company", self.company ? self.company + " (the project's own companies)" : null],
        ["as of", self.asOf === null ? "latest" : String(self.asOf)], ["text filter", q ? JSON.stringify(q) : null]]),
        head.map(A.csvCell).join(",")];
      t.rows.forEach(function (p) {
        var items = ((details[p.iso3] || {})[layer.id] || {}).items || [];
        var item = items.filter(function (x) { return x.id === p.id; })[0] || { fields: {}, citations: [] };
        var f = item.fields || {}, loc = item.location || {}, seen = {}, titles = [], urls = [];
        (item.citations || []).forEach(function (c) {
          if (seen[c.source]) return;
          seen[c.source] = true;
          var s = D.sources[c.source] || { title: c.source };
          titles.push(s.title + (c.stance === "contradicts" ? " (against)" : ""));
          if (s.url) urls.push(s.url);
        });
        var osm = p.origin === "aiddata" && p.precision !== "country";
        lines.push([p.id, p.name, countryName(p.iso3), p.iso3, p.mark, p.color, f.status_date, p.year, p.start_year,
          p.completion_year, (p.companies || []).join("; "), f.amount_usd, f.funding, f.implementing, p.precision,
          loc.place || loc.city || "", osm ? "" : p.lon, osm ? "" : p.lat, p.origin || "", item.confidence,
          titles.join("; "), urls.join(" ")].map(A.csvCell).join(","));
      });
      A.saveCsv(lines, A.csvName(["atlas-projects", self.kindFilter, self.statusFilter, self.company,
        self.asOf === null ? null : "as-of-" + self.asOf]));
    }
    if (!left) { write(); return; }
    pending.forEach(function (k) {
      self.loadDetails(k, function (d) { details[k] = d; if (--left === 0) write(); });
    });
  };
})(window.AtlasSite);

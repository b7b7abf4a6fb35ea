/* DSR Atlas map page, part 5 of 8: the table of every country × layer. Its columns, the
   filters (text, region, sub-region, only countries with data, and the header's company
   filter and as-of year), sorting, and the CSV of the rows shown.

   Relies on atlas-state.js (window.AtlasSite: the data, el, valueLabel, isPhone and the
   state: this.record, this.hasCompany, this.asOf) and on atlas-panel.js (showCountry,
   loadDetails, for the sources in the CSV). Adds methods to AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var D = A.data, el = A.el, valueLabel = A.valueLabel, isPhone = A.isPhone;

  /* A class's rank for sorting: its `min`, or for ordinal layers its place in the class list
     (listed strongest first, so the first class ranks highest). */
  function classRank(layer, value) {
    var c = layer.classByValue[value];
    if (!c) return null;
    if (c.min !== null && c.min !== undefined) return c.min;
    return layer.classes.length - layer.classes.indexOf(c);
  }

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
    // No ellipsis in the placeholder: a character the page's first font lacks sends the
    // browser looking for a font for it while the map is still being drawn.
    var filter = el("input", { type: "search", id: "atlas-table-filter", placeholder: "Filter: name, value, company", "aria-label": "Filter the table by any text it holds" });
    var onlyData = el("input", { type: "checkbox", id: "atlas-table-data" });
    var csv = el("button", { type: "button", id: "atlas-table-csv", text: "Download CSV of this view" });
    var close = el("button", { type: "button", id: "atlas-table-close", text: "Back to the map" });
    var region = select("atlas-table-region", "Region", "All regions");
    // On a phone the table shows the country and one column: the layer shown, or the one chosen here.
    this.tableColumn = el("select", { id: "atlas-table-column" }, [el("option", { value: "", text: "the layer shown" })].concat(
      this.tableColumns().slice(1).map(function (c) { return el("option", { value: c.key, text: c.title }); })));
    this.tableColumn.addEventListener("change", function () { self.renderTable(); });
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
        el("label", {}, [onlyData, " only countries with data"]),
        el("span", { className: "atlas-field atlas-phone-only" }, [el("label", { "for": "atlas-table-column", text: "Column" }), this.tableColumn]), csv, close]),
      this.tableNote, this.tableCount,
      el("table", { className: "atlas-table atlas-countries-table" }, [el("caption", { className: "atlas-visually-hidden", text: "Every country's value in each layer; the column buttons sort" }),
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
    var t = this.tableRows(), keep = this.tableColumn.value || this.layer;
    function cls(c, i) { return i === 0 || c.key === keep ? "atlas-keep" : null; }
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
      self.tableHead.appendChild(el("th", { scope: "col", "aria-sort": sort, "data-key": c.key, className: cls(c, t.cols.indexOf(c)) }, [b]));
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
      var cells = t.cols.map(function (c, i) { return el(i === 0 ? "th" : "td", i === 0 ? { scope: "row", className: "atlas-keep" } : { "data-key": c.key, className: cls(c, i) }, [i === 0 ? name : (c.get(k) || (c.key === "iso3" ? k : "—"))]); });
      self.tableBody.appendChild(el("tr", { "data-iso3": k }, cells));
    });
    var notes = [];
    if (this.company) notes.push("Only countries whose records name " + this.company + " " + this.companyScope() + " (the company filter in the header).");
    if (this.asOf !== null) notes.push("As of " + this.asOf + ": records dated later show their earlier step in force then, or are left out; * marks a record without a year, shown at every year.");
    this.tableNote.textContent = notes.join(" ");
    this.tableCount.textContent = t.rows.length + " of " + Object.keys(D.countries).length + " countries (— = no data)";
  };

  /* A CSV cell (also for the projects table's CSV: AtlasSite.csvCell, AtlasSite.saveCsv). */
  function csvCell(v) {
    v = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;  // keep spreadsheets from running it as a formula
    // A cell with # is quoted too: pandas' read_csv(comment="#") skips the settings line and
    // leaves a # inside quotes alone.
    return /[",\n\r#]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  /* A file name part: letters, digits, - and _ only (accents dropped, the rest as -). */
  function namePart(v) {
    return String(v).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "").slice(0, 40);
  }

  /* A CSV's name from what it holds: "atlas-safe_city-Huawei-Africa-as-of-2019.csv". */
  function csvName(parts) {
    return parts.filter(function (p) { return p !== null && p !== undefined && p !== ""; }).map(namePart)
      .filter(Boolean).join("-") + ".csv";
  }

  /* The settings line at the head of a view's CSV: "# " and what the view was. */
  function settingsLine(settings) {
    return "# " + [D.meta.title + ", data version " + D.meta.data_version].concat(settings.filter(function (s) { return s[1]; })
      .map(function (s) { return s[0] + ": " + s[1]; }), ["view: " + location.href.replace(/^file:.*\//, "")]).join("; ")
      .replace(/[\r\n]+/g, " ");
  }

  function saveCsv(lines, name) {
    var text = lines.join("\r\n") + "\r\n";
    var a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" })), download: name });
    document.body.appendChild(a); a.click(); a.remove();
  }
  A.csvCell = csvCell;
  A.saveCsv = saveCsv;
  A.csvName = csvName;
  A.settingsLine = settingsLine;

  /* The view's settings, in the CSV's first line, and its name. */
  AtlasSite.prototype.tableSettings = function () {
    var q = this.tableFilter.value.trim();
    return [["layer", this.layer], ["company", this.company ? this.company + " " + this.companyScope() : null],
      ["region", this.tableRegion.value], ["sub-region", this.tableSubregion.value],
      ["as of", this.asOf === null ? "latest" : String(this.asOf)], ["text filter", q ? JSON.stringify(q) : null],
      ["only countries with data", this.tableOnlyData.checked ? "yes" : null],
      ["sorted by", this.sortKey + (this.sortDir > 0 ? " ascending" : " descending")]];
  };

  AtlasSite.prototype.tableCsvName = function () {
    return csvName(["atlas", this.layer, this.company, this.company && this.companyIn === "any" ? "any-layer" : null,
      this.tableRegion.value, this.tableSubregion.value, this.asOf === null ? null : "as-of-" + this.asOf]);
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
      var lines = [settingsLine(self.tableSettings()), head.map(csvCell).join(",")];
      t.rows.forEach(function (k) {
        var c = D.countries[k];
        var row = [c.name, k, c.continent || "", c.subregion || "", (c.companies || []).join("; ")];
        D.layers.forEach(function (l) {
          var rec = self.record(k, l.id);
          if (l.rows === "composite") { row.push(rec ? rec.score.toFixed(3) : "", rec ? valueLabel(l, rec) : ""); return; }
          if (!rec) { row.push("", "", "", "", "", ""); return; }
          var full = Object.assign({}, rec, (details[k] || {})[l.id] || {});
          if (rec.step) full = (full.steps || []).filter(function (s) { return s.year === rec.year; })[0] || { citations: [] };
          var src = sources(full);
          row.push(l.rows === "many" ? String(rec.count) : valueLabel(l, rec), rec.value,
            typeof rec.year === "number" ? rec.year : "", rec.confidence || "", src[0], src[1]);
        });
        lines.push(row.map(csvCell).join(","));
      });
      saveCsv(lines, self.tableCsvName());
    }
    if (!left) { write(); return; }
    t.rows.forEach(function (k) {
      self.loadDetails(k, function (d) { details[k] = d; if (--left === 0) write(); });
    });
  };
})(window.AtlasSite);

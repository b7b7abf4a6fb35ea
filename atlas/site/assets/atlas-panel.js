/* DSR Atlas map page, part 4 of 8: the details panel (a side panel; on a phone, a sheet over
   the lower part of the map). Selecting a country, its records in full with their sources and
   quotes (its projects as a list, each opening its own panel), how a composite score was
   made, a project's panel (#project=<id>), and loading a country's details from
   data/details/<ISO3>.js; also the Escape key, which closes the innermost of the menu, the
   layer list, the tables and the panel.

   Relies on atlas-state.js (window.AtlasSite: the data, el, link, layersById, valueLabel,
   isPhone and the state), atlas-map.js (style, reveal), atlas-controls.js (toggleMenu,
   toggleLayers), atlas-table.js (closeTable), atlas-points.js (the projects, showProject,
   unselectProject) and atlas-projects-table.js (closeProjects). Adds methods to
   AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var D = A.data, el = A.el, link = A.link, layersById = A.layersById, valueLabel = A.valueLabel, isPhone = A.isPhone;

  /* The id of a class's row in the about page's codebook, as atlas/site/pages.py rule_id
     writes it: '+' spelt "plus", any other character but letters, digits, - and _ as "-". */
  /* A citation's stance, said before it: counter-evidence, or context that is not the value. */
  function stanceLabel(cit) {
    if (cit.stance === "contradicts") return el("strong", { text: "Against: " });
    return cit.stance === "context" ? el("strong", { text: "Context: " }) : null;
  }

  function ruleId(layer, value) {
    return ("rule-" + layer + "-" + String(value)).replace(/\+/g, "plus").replace(/[^A-Za-z0-9_-]/g, "-");
  }

  /* "Report a problem with this value": layers.toml's report_url (an http(s) or mailto:
     address, checked by atlas/evidence/codebook.py) with {layer}, {country}, {iso3}, {value}
     and {data_version} filled in, URL-encoded, as atlas/site/pages.py report_link does; null
     when report_url is unset. */
  function reportLink(layer, iso3, value) {
    var template = D.meta.report_url;
    if (!template || !/^(https?:\/\/|mailto:)[^\s<>"'`]+$/i.test(template)) return null;
    var fields = { layer: layer, country: D.countries[iso3].name, iso3: iso3, value: String(value),
      data_version: D.meta.data_version || "" };
    var url = template.replace(/\{(\w+)\}/g, function (m, k) { return encodeURIComponent(fields[k] === undefined ? "" : fields[k]); });
    return el("a", { className: "report-problem", href: url, target: "_blank", rel: "noopener noreferrer",
      text: "Report a problem with this value" });
  }

  /* How many sources a record lists before "Show all N" (a phone sheet stays short). */
  var SOURCES_SHOWN = 3;

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
    if (this.menu.classList.contains("open") && isPhone() && !this.tableView.classList.contains("open") &&
        !this.projectsView.classList.contains("open")) {
      this.toggleMenu(false); this.menuButton.focus();
    } else if (this.layersBox.contains(active) && this.layersBox.classList.contains("open")) {
      this.toggleLayers(false); this.layersButton.focus();
    } else if (this.projectsView.classList.contains("open")) {
      this.closeProjects();
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
    this.unselectProject();
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
    this.unselectProject();
    this.country = iso3;
    if (before && before !== iso3 && this.byId[before]) this.byId[before].setStyle(this.style(before));
    if (this.byId[iso3]) { this.byId[iso3].setStyle(this.style(iso3)); this.byId[iso3].bringToFront(); }
    this.panel.classList.add("open");
    document.body.classList.add("atlas-panel-open");
    this.renderPanel(iso3);
    this.reveal(iso3, !!opts.fit);
    this.writeHash();
  };

  /* A country's records in full: its summary (ATLAS_DATA) with its details, which are loaded
     from data/details/<ISO3>.js when its panel first opens (see atlas/site/payload.py). */
  AtlasSite.prototype.renderPanel = function (iso3) {
    var self = this;
    var summary = D.countries[iso3];
    var details = (window.ATLAS_DETAILS || {})[iso3];
    this.panel.removeAttribute("data-project");
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
    var copy = el("button", { type: "button", className: "atlas-panel-copy", id: "atlas-panel-copy", text: "Copy link" });
    var copied = el("span", { role: "status", className: "atlas-panel-status" });
    copy.addEventListener("click", function () { self.copyLink(copied); });
    p.appendChild(el("p", { className: "atlas-panel-links" }, [Object.keys(c.layers).length ? el("a", { href: "country/" + encodeURIComponent(iso3) + ".html",
      id: "atlas-country-page", text: "Country page (to cite or print)" }) : null, Object.keys(c.layers).length ? " · " : null, copy, copied]));
    if (this.asOf !== null) p.appendChild(el("p", { className: "atlas-legend-note", text: "Every record is listed; those dated after " + this.asOf + " are marked, and the map shows their earlier step in force then, or no data." }));
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
      var shown = self.asOf !== null ? self.record(iso3, layer.id) : rec;
      var later = !shown ? el("p", { className: "atlas-later", text: "Dated after " + self.asOf + ": not shown as of " + self.asOf + "." })
        : shown.step ? el("p", { className: "atlas-later atlas-step-shown", text: "Dated after " + self.asOf + ": as of " + self.asOf + " the map shows the earlier step, " +
          valueLabel(layer, shown) + " (" + shown.year + ")." }) : null;
      if (later) section.appendChild(later);
      var report = layer.rows === "composite" ? null : reportLink(layer.id, iso3, rec.value);
      if (layer.rows === "many") {
        section.appendChild(el("p", {}, [el("span", { className: "value", text: rec.count + (rec.count === 1 ? " project" : " projects") + " named in the sources" }),
          report ? " · " : null, report]));
        var ul = el("ul", { className: "atlas-items" });
        rec.items.forEach(function (item) {
          ul.appendChild(el("li", { "data-project": item.id }, A.projectById(item.id) ? self.projectLine(item)
            : [self.recordDetails(layer, item, true)]));
        });
        section.appendChild(ul);
        p.appendChild(section);
        return;
      }
      section.appendChild(el("p", {}, [el("span", { className: "value", text: valueLabel(layer, rec) }), rec.year ? " (" + rec.year + ")" : "", " · ",
        el("a", { href: "about.html#" + ruleId(layer.id, rec.value), text: "coding rule" }), report ? " · " : null, report]));
      section.appendChild(self.recordDetails(layer, rec, false));
      if (rec.steps && rec.steps.length) section.appendChild(self.stepsList(function (v) { return valueLabel(layer, { value: v }); }, rec.steps, rec));
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

  /* A record's earlier steps, oldest first, then its own class (`own`: its value and year): each
     with its year, confidence and sources (steps.csv); `label` names a class. */
  AtlasSite.prototype.stepsList = function (label, steps, own) {
    var ol = el("ol", { className: "atlas-steps" });
    steps.forEach(function (s) {
      ol.appendChild(el("li", { "data-year": String(s.year) }, [el("span", { className: "value", text: label(s.value) }), " from " + s.year + " (confidence " + s.confidence + ")",
        el("ul", { className: "atlas-sources" }, s.citations.map(function (cit) {
          var src = D.sources[cit.source] || { title: cit.source };
          return el("li", {}, [link(src.url, src.title), ", " + cit.locator, cit.evidence ? el("p", { text: cit.evidence }) : null,
            cit.quote ? el("blockquote", { text: "“" + cit.quote + "”" }) : null]);
        }))]));
    });
    ol.appendChild(el("li", { "data-year": String(own.year) }, [el("span", { className: "value", text: label(own.value) }), " from " + own.year + " (this record, sources above)"]));
    return el("div", { className: "atlas-record" }, [el("p", { text: "Steps in time:" }), ol]);
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
    if (rec.derived) { dl.appendChild(el("dt", { text: "from the data" })); dl.appendChild(el("dd", { className: "atlas-derived", text: rec.derived })); }
    if (rec.derivation) { dl.appendChild(el("dt", { text: "judgement" })); dl.appendChild(el("dd", { text: rec.derivation })); }
    if (rec.note) { dl.appendChild(el("dt", { text: "note" })); dl.appendChild(el("dd", { text: rec.note })); }
    box.appendChild(dl);
    var ol = el("ol", { className: "atlas-sources" }), n = rec.citations.length;
    rec.citations.forEach(function (cit, i) {
      var src = D.sources[cit.source] || { title: cit.source };
      var who = [src.author, src.publisher, src.date].filter(Boolean).join(", ");
      ol.appendChild(el("li", { className: cit.stance === "contradicts" ? "against" : "", hidden: i >= SOURCES_SHOWN && n > SOURCES_SHOWN + 1 ? "" : null }, [
        stanceLabel(cit),
        link(src.url, src.title), who ? " — " + who : "", ", " + cit.locator,
        cit.evidence ? el("p", { text: cit.evidence }) : null,
        cit.quote ? el("blockquote", { text: "“" + cit.quote + "”" }) : null
      ]));
    });
    box.appendChild(el("p", { text: "Sources:" }));
    box.appendChild(ol);
    if (n > SOURCES_SHOWN + 1) {  // folded after the first few; one more is shown, not folded
      var more = el("button", { type: "button", className: "atlas-more-sources", text: "Show all " + n + " sources" });
      more.addEventListener("click", function () {
        [].forEach.call(ol.children, function (li) { li.hidden = false; });
        more.remove();
        ol.children[SOURCES_SHOWN].setAttribute("tabindex", "-1");  // focus on the first one unfolded
        ol.children[SOURCES_SHOWN].focus();
      });
      box.appendChild(more);
    }
    return box;
  };

  /* A project in its country's list: its name (opening its panel), kind, status and year. */
  AtlasSite.prototype.projectLine = function (item) {
    var self = this, p = A.projectById(item.id);
    var a = el("a", { href: "#project=" + encodeURIComponent(item.id), text: p.name || item.id });
    a.addEventListener("click", function (ev) { ev.preventDefault(); self.showProject(item.id, { fit: true, from: a }); self.panel.focus(); });
    var later = this.asOf !== null && typeof p.year === "number" && p.year > this.asOf;
    return [a, " — " + [this.classLabel(A.pointMark, p.mark), this.classLabel(A.pointColor, p.color), p.year ? String(p.year) : null]
      .filter(Boolean).join(" · ") + (later ? " (dated after " + this.asOf + ")" : p.step ? " (an earlier step; latest " + p.latest[1] + ")" : "")];
  };

  var PRECISION = {
    exact: "exact: the place the sources give (a filled mark)",
    approximate: "approximate: near this point (a hollow mark)",
    city: "a city: drawn at the city's point (a hollow mark)",
    admin: "a district or province: drawn at a point of it (a hollow mark)",
    country: "no place named: drawn inside the country (a hollow mark)"
  };

  function money(v) {
    return typeof v === "number" ? "US$ " + Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",") : String(v);
  }

  /* A project's panel: name, country, kind, status, years, companies, amount, where it is and
     how precisely, confidence, notes and its sources with their addresses. */
  AtlasSite.prototype.renderProject = function (id) {
    var self = this, p = A.projectById(id), layer = A.pointLayer, panel = this.panel;
    var country = D.countries[p.iso3] || { name: p.iso3 };
    var details = (window.ATLAS_DETAILS || {})[p.iso3];
    panel.setAttribute("data-project", id);
    panel.removeAttribute("data-country");
    if (!details) {
      panel.setAttribute("aria-busy", "true");
      this.loadDetails(p.iso3, function () { if (self.project === id) self.renderProject(id); });
      return;
    }
    panel.removeAttribute("aria-busy");
    var item = (((details[layer.id] || {}).items) || []).filter(function (x) { return x.id === id; })[0] ||
      { fields: {}, citations: [] };
    var f = item.fields || {}, loc = item.location || {};
    panel.textContent = "";
    panel.setAttribute("aria-label", "Project: " + (p.name || id));
    var close = el("button", { className: "atlas-close", type: "button", "aria-label": "Close details", text: "×" });
    close.addEventListener("click", function () { self.closePanel(true); });
    var back = el("a", { href: "#country=" + encodeURIComponent(p.iso3), id: "atlas-project-country", text: country.name });
    back.addEventListener("click", function (ev) { ev.preventDefault(); self.showCountry(p.iso3, { fit: true, from: back }); self.panel.focus(); });
    panel.appendChild(close);
    panel.appendChild(el("h2", { text: p.name || id }));
    panel.appendChild(el("p", { className: "zh" }, ["Project in ", back, " · " + layer.title.replace(/ \(count\)$/, "")]));
    var status = function (v) { return self.classLabel(A.pointColor, v); };
    if (p.step) {
      panel.appendChild(el("p", { className: "atlas-later atlas-step-shown", text: "Dated after " + this.asOf + ": as of " + this.asOf +
        " the map shows the earlier step, " + status(p.color) + " (" + p.year + ")." }));
    } else if (this.asOf !== null && typeof p.year === "number" && p.year > this.asOf) {
      panel.appendChild(el("p", { className: "atlas-later", text: "Dated after " + this.asOf + ": not shown on the map as of " + this.asOf + "." }));
    }
    var dl = el("dl");
    function row(term, value) {
      if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
      dl.appendChild(el("dt", { text: term }));
      dl.appendChild(el("dd", { text: Array.isArray(value) ? value.join("; ") : String(value) }));
    }
    row("kind", this.classLabel(A.pointMark, p.mark));
    row("status", status(p.step ? p.latest[0] : p.color) + (f.status_date ? " (as of " + f.status_date + ")" : ""));
    row("in the source's words", f.source_status);
    row("year", item.year !== undefined ? item.year : p.step ? p.latest[1] : p.year);
    row("started", f.start_year);
    row("completed", f.completion_year);
    row("companies", f.companies || p.companies);
    row("amount", f.amount_usd === null || f.amount_usd === undefined ? null : money(f.amount_usd));
    row("funding", f.funding);
    row("implementing", f.implementing);
    row("place", [loc.place, loc.city && loc.city !== loc.place ? loc.city : null].filter(Boolean).join(", "));
    row("precision", PRECISION[p.precision] || p.precision);
    if (p.precision !== "country") row("drawn at", p.lat.toFixed(4) + ", " + p.lon.toFixed(4) + " (lat, lon)");
    row("confidence", item.confidence ? item.confidence + (item.confidence_reason ? ": " + item.confidence_reason : "") : null);
    row("from the data", item.derived);
    row("judgement", item.derivation);
    row("note", item.note);
    row("needs review", f.review);
    row("origin", item.origin === "aiddata" || p.origin === "aiddata" ? "imported from AidData's Global Chinese Development Finance dataset" : null);
    panel.appendChild(dl);
    if (p.precision === "country") {
      panel.appendChild(el("p", { className: "atlas-precision-note", text: "No place named: the point is drawn inside " + country.name + ", not where the project is." }));
    }
    var ol = el("ol", { className: "atlas-sources" });
    (item.citations || []).forEach(function (cit) {
      var src = D.sources[cit.source] || { title: cit.source };
      var who = [src.author, src.publisher, src.date].filter(Boolean).join(", ");
      ol.appendChild(el("li", { className: cit.stance === "contradicts" ? "against" : "" }, [
        stanceLabel(cit),
        link(src.url, src.title), who ? " — " + who : "", cit.locator ? ", " + cit.locator : "",
        src.url ? el("span", { className: "atlas-address", text: src.url }) : null,
        cit.quote ? el("blockquote", { text: "“" + cit.quote + "”" }) : null
      ]));
    });
    panel.appendChild(el("p", { text: "Sources:" }));
    panel.appendChild(ol);
    if (item.steps && item.steps.length) panel.appendChild(this.stepsList(status, item.steps, { value: item.fields[layer.point_color], year: item.year }));
    panel.classList.add("open");
  };
})(window.AtlasSite);

/* DSR Atlas map page, part 3 of 8: the page's frame and header. The skip link, the header
   with the country search, the "Filters & more" menu (company, as-of year, the points' kind
   and status, the tables, copy link, downloads as ATLAS_DATA.meta.downloads lists them) and
   the layer switcher with the points' on/off switch.

   Relies on atlas-state.js (window.AtlasSite: the data, el, layersById, isPhone and the
   setters setLayer, setCompany, setYear); what the controls open is in the other parts
   (showCountry in atlas-panel.js, openTable in atlas-table.js, pointControls and pointsSwitch
   in atlas-points-legend.js, openProjects in atlas-projects-table.js). Adds methods to
   AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var D = A.data, el = A.el, layersById = A.layersById, isPhone = A.isPhone;

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
    var tableButton = el("button", { type: "button", id: "atlas-table-button", "aria-controls": "atlas-tableview", "aria-expanded": "false", text: "Table" });
    tableButton.addEventListener("click", function () { self.openTable(); });
    var projectsButton = A.pointLayer ? el("button", { type: "button", id: "atlas-projects-button", "aria-controls": "atlas-projects-view",
      "aria-expanded": "false", text: "Projects table" }) : null;
    if (projectsButton) projectsButton.addEventListener("click", function () { self.openProjects(); });
    var copy = el("button", { type: "button", id: "atlas-copy-link", text: "Copy link" });
    copy.addEventListener("click", function () { self.copyLink(); });
    this.status = el("span", { className: "atlas-status", id: "atlas-status", role: "status" });

    // Ordered by the names' letters, case aside: localeCompare would start the browser's
    // collator while the map is still being drawn, for a list the tables sort again if asked.
    var companies = Object.keys(this.companyCounts).sort(function (a, b) {
      var x = a.toLowerCase(), y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
    this.companySelect = el("select", { id: "atlas-company" }, [el("option", { value: "", text: "All companies" })].concat(
      companies.map(function (n) { return el("option", { value: n, text: n + " (" + self.companyCounts[n] + ")" }); })));
    this.companySelect.addEventListener("change", function () { self.setCompany(self.companySelect.value || null); });
    this.companyInSelect = el("select", { id: "atlas-company-in" }, [el("option", { value: "layer", text: "in the layer shown" }),
      el("option", { value: "any", text: "in any layer" })]);
    this.companyInSelect.addEventListener("change", function () { self.setCompany(self.company, self.companyInSelect.value); });
    this.yearSelect = el("select", { id: "atlas-year" }, [el("option", { value: "", text: "latest" })].concat(
      this.years.map(function (y) { return el("option", { value: String(y), text: String(y) }); })));
    this.yearSelect.addEventListener("change", function () { self.setYear(self.yearSelect.value ? Number(self.yearSelect.value) : null); });

    this.menu = el("div", { className: "atlas-menu", id: "atlas-menu" }, [
      el("span", { className: "atlas-field" }, [el("label", { "for": "atlas-company", text: "Company" }), this.companySelect]),
      el("span", { className: "atlas-field" }, [el("label", { "for": "atlas-company-in", text: "named" }), this.companyInSelect]),
      el("span", { className: "atlas-field" }, [el("label", { "for": "atlas-year", text: "As of" }), this.yearSelect])
    ].concat(this.pointControls(), [
      tableButton, projectsButton, copy,
      el("a", { href: "about.html", text: "About & sources" }),
      el("details", { className: "atlas-downloads" }, [el("summary", { text: "Downloads" }), this.downloadList()]),
      this.status
    ]));
    this.menuButton = el("button", { type: "button", id: "atlas-menu-button", className: "atlas-menu-button",
      "aria-expanded": "false", "aria-controls": "atlas-menu", text: "Filters & more" });
    this.menuButton.addEventListener("click", function () { self.toggleMenu(); });
    this.syncControls();
    return el("header", { className: "atlas-bar", id: "atlas-header" }, [
      el("h1", { text: D.meta.title }), this.buildSearch(), this.menuButton, this.menu, this.buildLayerControl()
    ]);
  };

  /* The Downloads menu, from ATLAS_DATA.meta.downloads ({name, menu, layer}): the whole atlas's
     files first, then each layer's, named as the menu names them. */
  AtlasSite.prototype.downloadList = function () {
    var self = this, all = D.meta.downloads || [], box = el("p", { text: "Data version " + D.meta.data_version + ": " });
    function add(list, into) {
      list.forEach(function (d, i) {
        if (i) into.push(" · ");
        into.push(self.downloadLink(d.name, d.menu || d.name));
      });
    }
    var whole = [];
    add(all.filter(function (d) { return !d.layer; }), whole);
    whole.push(" · ", this.downloadLink("datapackage.json", "datapackage.json"), " · ",
      el("a", { href: "changes.html", text: "what changed" }));
    whole.forEach(function (x) { box.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
    var byLayer = all.filter(function (d) { return d.layer; });
    if (byLayer.length) {
      var per = [];
      add(byLayer, per);
      box.appendChild(document.createTextNode(" · per layer: "));
      per.forEach(function (x) { box.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
    }
    return box;
  };

  /* A file of data/ to download. Opened from file://, Chromium ignores `download` and shows a
     JSON file in the tab, and Firefox asks what to do with any other file: there every file is
     read from data/download/<name>.js (written by the build, atlas/site/payload.py:
     download_scripts; text, or {base64} for the zip and the GeoPackage) and saved as a Blob. */
  AtlasSite.prototype.downloadLink = function (name, text) {
    var a = el("a", { href: "data/" + encodeURIComponent(name), download: "", "data-file": name, text: text });
    if (location.protocol !== "file:") return a;
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var store = window.ATLAS_DOWNLOAD = window.ATLAS_DOWNLOAD || {};
      function save() {
        var body = store[name];
        if (!body || (typeof body !== "string" && typeof body.base64 !== "string")) { location.href = a.href; return; }  // no script: the plain link
        if (typeof body !== "string") body = Uint8Array.from(atob(body.base64), function (c) { return c.charCodeAt(0); });
        var link = el("a", { href: URL.createObjectURL(new Blob([body], { type: "application/octet-stream" })), download: name });
        document.body.appendChild(link); link.click(); link.remove();
      }
      if (store[name] !== undefined) { save(); return; }
      var script = document.createElement("script");
      script.src = "data/download/" + encodeURIComponent(name) + ".js";
      script.onload = script.onerror = function () { script.remove(); save(); };
      document.head.appendChild(script);
    });
    return a;
  };

  AtlasSite.prototype.toggleMenu = function (open) {
    open = open === undefined ? !this.menu.classList.contains("open") : open;
    this.menu.classList.toggle("open", open);
    this.menuButton.setAttribute("aria-expanded", open ? "true" : "false");
  };

  AtlasSite.prototype.copyLink = function (status) {
    var url = location.href;
    status = status || this.status;  // the panel's own, where the menu is folded away on a phone
    function said(text) { status.textContent = text; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () { said("Link copied."); },
        function () { said("Copy this link: " + url); });
    } else {
      said("Copy this link: " + url);
    }
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
    // The hint that Chinese names work too is shown once the map is drawn: finding a font for
    // 中文 is the slowest part of the page's first layout, and the map need not wait.
    A.whenIdle(function () { input.placeholder = "Find a country (name, 中文, ISO)"; });
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
      input.addEventListener("change", function () {
        if (!input.checked) return;
        self.setLayer(l.id);
        if (isPhone()) { self.toggleLayers(false); self.layersButton.focus(); }  // on a phone the list closes once a layer is chosen
      });
      self.layerInputs[l.id] = input;
      list.appendChild(el("label", { "for": "atlas-layer-" + l.id }, [input, el("span", { text: l.title })]));
    });
    this.layersButton = el("button", { type: "button", id: "atlas-layers-button", "aria-controls": "atlas-layer-list" });
    this.layersButton.addEventListener("click", function () { self.toggleLayers(); });
    var overlay = this.pointsSwitch();
    this.layersBox = el("div", { className: "atlas-layers", id: "atlas-layers" }, [this.layersButton, list,
      overlay ? el("div", { className: "atlas-overlays" }, [overlay]) : null]);
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
})(window.AtlasSite);

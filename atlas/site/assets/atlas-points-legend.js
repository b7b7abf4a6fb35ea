/* DSR Atlas map page, part 7 of 8: the project points' legend and filters. The header menu's
   "Kind" and "Status" filters, the overlay's switch, and the legend of the points: statuses
   (colours), kinds (symbols), filled and hollow marks, clusters, with the count of the shown
   projects by status.

   Relies on atlas-state.js (the namespace, el, isPhone) and atlas-points.js (the point layer,
   its colour and mark fields, pointCounts, setPointFilter, setPointsOn). Adds methods to
   AtlasSite.Site. */
(function (A) {
  "use strict";

  var AtlasSite = A.Site;
  var el = A.el, isPhone = A.isPhone;

  /* The filters for the header's menu ("Kind", "Status") and the overlay's switch. */
  AtlasSite.prototype.pointControls = function () {
    var self = this;
    if (!A.pointLayer) return [];
    function select(id, label, spec, all, which) {
      var s = el("select", { id: id }, [el("option", { value: "", text: all })].concat(
        (spec ? spec.classes : []).map(function (c) { return el("option", { value: c.value, text: c.label }); })));
      s.addEventListener("change", function () { self.setPointFilter(which, s.value); });
      return { select: s, field: el("span", { className: "atlas-field" }, [el("label", { "for": id, text: label }), s]) };
    }
    var kind = select("atlas-kind", "Kind", A.pointMark, "All kinds", "kindFilter");
    var status = select("atlas-status-filter", "Status", A.pointColor, "All statuses", "statusFilter");
    this.kindSelect = kind.select; this.statusSelect = status.select;
    return [kind.field, status.field];
  };

  AtlasSite.prototype.pointsSwitch = function () {
    var self = this;
    if (!A.pointLayer) return null;
    this.pointsToggle = el("input", { type: "checkbox", id: "atlas-points-toggle" });
    this.pointsToggle.checked = this.pointsOn;
    this.pointsToggle.addEventListener("change", function () { self.setPointsOn(self.pointsToggle.checked); });
    return el("label", { className: "atlas-overlay", "for": "atlas-points-toggle" }, [this.pointsToggle,
      el("span", { text: "Projects as points (" + A.projectCount + ")" })]);
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
    var counts = this.pointCounts(), byStatus = counts.statuses, byKind = counts.kinds;
    this.pointsLegendTitle.textContent = "Project points: " + this.pointsShown + " of " + A.projectCount +
      (this.pointsOn ? "" : " (switched off)");
    var body = this.pointsLegendBody;
    body.textContent = "";
    var statuses = (A.pointColor ? A.pointColor.classes : []).filter(function (c) { return c.value in byStatus; }).map(function (c) {
      var sw = el("span", { className: "atlas-point-swatch atlas-point-filled" });
      sw.style.background = A.pointColorOf(c.value);
      return el("li", { "data-value": c.value }, [sw, el("span", { text: c.label }), el("span", { className: "count", text: String(byStatus[c.value]) })]);
    });
    var kinds = (A.pointMark ? A.pointMark.classes : []).filter(function (c) { return byKind[c.value]; }).map(function (c) {
      return el("li", { "data-value": c.value }, [el("span", { className: "atlas-point-swatch atlas-point-hollow atlas-point-neutral", text: A.pointSymbol(c.value) }), el("span", { text: c.label })]);
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
})(window.AtlasSite);

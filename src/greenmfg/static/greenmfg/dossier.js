// The radar chart of the category scores, redrawn after every live-score swap.
// Data comes from a JSON script element (no inline script: the CSP allows 'self' only).
(function () {
  function draw() {
    var el = document.getElementById("radar");
    var source = document.getElementById("radar-data");
    if (!el || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    if (!data) return;
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { renderMode: "richText" },
      radar: { indicator: data.indicators, radius: "60%", axisName: { color: "#345" } },
      series: [{ type: "radar", data: [{ value: data.values, name: "得分", areaStyle: { opacity: 0.25 } }] }],
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();

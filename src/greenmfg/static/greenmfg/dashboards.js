// The dashboard's charts, drawn from a JSON script element (the CSP allows no inline script). Each chart
// has its table beside it, which is what screen readers and the Excel downloads use.
(function () {
  // rows: [{label, value, flag?}]; a flagged bar is drawn red; `line` (optional) is a reference value
  function bar(el, rows, horizontal, line) {
    var chart = window.echarts.init(el);
    var names = rows.map(function (r) { return r.label; });
    var values = rows.map(function (r) { return r.flag ? { value: r.value, itemStyle: { color: "#c62828" } } : r.value; });
    var category = { type: "category", data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      animation: false,
      grid: { containLabel: true, left: 8, right: 16, top: 16, bottom: 8 },
      tooltip: { renderMode: "richText" },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({ inverse: true }, category) : value,
      series: [{ type: "bar", data: values, itemStyle: { color: "#2e7d32" },
        markLine: line == null ? undefined : { silent: true, symbol: "none", lineStyle: { color: "#c62828", type: "dashed" },
          data: [horizontal ? { xAxis: line } : { yAxis: line }] } }],
    });
  }
  function map(el, rows, url) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      // the data are keyed by GB/T 2260 code: name each area by its code (a string, as the data's are)
      geo.features.forEach(function (f) { f.properties.name = String(f.properties.adcode); });
      window.echarts.registerMap("china-provinces", geo);
      var max = rows.reduce(function (m, r) { return Math.max(m, r.value); }, 1);
      window.echarts.init(el).setOption({
        animation: false,
        tooltip: { renderMode: "richText", formatter: function (p) { return p.data ? p.data.label + "：" + p.data.value : p.name; } },
        visualMap: { min: 0, max: max, calculable: true, left: 8, bottom: 8, inRange: { color: ["#e8f5e9", "#1b5e20"] } },
        series: [{ type: "map", map: "china-provinces", roam: false,
          data: rows.map(function (r) { return { name: r.code, value: r.value, label: r.label }; }) }],
      });
    });
  }
  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    Object.keys(data.bars).forEach(function (id) {
      var el = document.getElementById("chart-" + id);
      if (el) bar(el, data.bars[id], id === "area" || id === "state" || id === "track", data.lines ? data.lines[id] : null);
    });
    var area = document.getElementById("chart-area");
    if (area && data.map) map(area, data.map, data.geojson);
  }
  document.addEventListener("DOMContentLoaded", draw);
})();

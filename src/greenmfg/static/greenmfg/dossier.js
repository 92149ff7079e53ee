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

// A refused save (409) is shown, never dropped: htmx swaps only 2xx by default, so the refusal (the
// reason in the live panel, and beside every field sent) is let through. The input keeps what was typed.
// A save that never reached the server says so beside its field too.
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  function unsaved(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.id) return;
    var slot = document.getElementById(elt.id + "-err");
    if (!slot) return;
    var zh = document.documentElement.lang !== "en";
    slot.textContent = zh
      ? "未保存：无法连接服务器，您输入的内容仍在输入框中，请稍后再改动一次。"
      : "Not saved: the server could not be reached; what you typed is still in the field.";
  }
  document.addEventListener("htmx:sendError", unsaved);
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status !== 409) unsaved(event);
  });
})();

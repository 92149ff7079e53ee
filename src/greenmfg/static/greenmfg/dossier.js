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

// Evidence uploads with a progress bar (large files take a while) and the refusal beside the file input.
// Without JavaScript the form posts as usual and the page shows the refusal beside the input too.
(function () {
  function upload(form, event) {
    if (!window.FormData || !window.XMLHttpRequest) return;
    event.preventDefault();
    var bar = form.querySelector("progress");
    var slot = form.querySelector(".upload-error");
    var button = form.querySelector("button");
    var zh = document.documentElement.lang !== "en";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Upload", "progress");
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    if (slot) slot.textContent = "";
    if (bar) { bar.hidden = false; bar.value = 0; }
    if (button) button.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (bar && e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    function fail(text) {
      if (slot) slot.textContent = text;
      if (bar) bar.hidden = true;
      if (button) button.disabled = false;
    }
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (data && data.refused && data.refused.length) return fail(data.refused.join("\n"));
      if (data && data.next) { window.location.assign(data.next); window.location.reload(); return; }
      fail(zh ? "上传失败（" + xhr.status + "），请重试。" : "Upload failed (" + xhr.status + "); try again.");
    });
    xhr.addEventListener("error", function () {
      fail(zh ? "上传中断：无法连接服务器，请重试。" : "Upload interrupted: the server could not be reached.");
    });
    xhr.send(new FormData(form));
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.hasAttribute && form.hasAttribute("data-upload")) upload(form, event);
  });
})();

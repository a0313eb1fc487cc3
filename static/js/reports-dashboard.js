/* 进度看板：各县市区纳入名单、已达标、年度目标、按时间表应达标（点击县市区进入其看板），
   以及每周趋势与年底预计（数据来自 json_script）。 */
(function () {
  "use strict";
  function data(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }
  function progress() {
    var el = document.getElementById("progress-chart");
    var d = data("progress-chart-data");
    if (!el || !d) return;
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["纳入名单", "已达标", "年度目标", "按时间表应达标"] },
      grid: { left: 50, right: 20, top: 50, bottom: 90 },
      xAxis: { type: "category", data: d.counties, axisLabel: { rotate: 40 }, triggerEvent: true },
      yAxis: { type: "value", name: "企业数" },
      series: [
        { name: "纳入名单", type: "bar", data: d.listed },
        { name: "已达标", type: "bar", data: d.passed },
        { name: "年度目标", type: "line", data: d.target },
        { name: "按时间表应达标", type: "line", data: d.expected, lineStyle: { type: "dashed" } }
      ]
    });
    // The drill-down: a county's bar (or its name on the axis) opens its own dashboard.
    chart.on("click", function (params) {
      var index = params.componentType === "xAxis" ? d.counties.indexOf(params.value) : params.dataIndex;
      if (d.urls && d.urls[index]) window.location.href = d.urls[index] + window.location.search;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function trend() {
    var el = document.getElementById("trend-chart");
    var d = data("trend-chart-data");
    if (!el || !d) return;
    var dates = d.dates.concat(["年底预计"]);
    var projected = d.passed.map(function () { return null; });
    projected[projected.length - 1] = d.passed[d.passed.length - 1];
    projected.push(d.projected);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["已达标", "按时间表应达标", "年底预计", "年度目标"] },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: dates },
      yAxis: { type: "value", name: "企业数" },
      series: [
        { name: "已达标", type: "line", data: d.passed },
        { name: "按时间表应达标", type: "line", data: d.expected, lineStyle: { type: "dashed" } },
        { name: "年底预计", type: "line", data: projected, lineStyle: { type: "dotted" }, connectNulls: false },
        { name: "年度目标", type: "line", data: dates.map(function () { return d.target || null; }),
          symbol: "none", lineStyle: { type: "dashed", width: 1 } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function draw() {
    if (!window.echarts) return;
    progress();
    trend();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

/* 进度看板：各县市区纳入名单、已达标、年度目标、按时间表应达标（数据来自 json_script）。 */
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("progress-chart");
    var source = document.getElementById("progress-chart-data");
    if (!el || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["纳入名单", "已达标", "年度目标", "按时间表应达标"] },
      grid: { left: 50, right: 20, top: 50, bottom: 90 },
      xAxis: { type: "category", data: data.counties, axisLabel: { rotate: 40 } },
      yAxis: { type: "value", name: "企业数" },
      series: [
        { name: "纳入名单", type: "bar", data: data.listed },
        { name: "已达标", type: "bar", data: data.passed },
        { name: "年度目标", type: "line", data: data.target },
        { name: "按时间表应达标", type: "line", data: data.expected, lineStyle: { type: "dashed" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

/*
 * 自评页（无内联脚本）：
 * (a) 勾选“空项”时把该项扣分置 0；
 * (b) 评分有未保存的修改时，上传或删除佐证材料前提醒先保存草稿（上传会刷新页面）；
 * (c) 有未保存的修改时离开页面，浏览器会提示。
 */
(function () {
  "use strict";

  var form = document.getElementById("assessment-form");
  if (!form) return;
  var dirty = false;

  form.addEventListener("input", function () {
    dirty = true;
  });
  form.addEventListener("change", function (event) {
    dirty = true;
    var box = event.target;
    if (box.type !== "checkbox" || !/-not_applicable$/.test(box.name)) return;
    var deducted = form.querySelector('[name="' + box.name.replace(/not_applicable$/, "deducted") + '"]');
    if (deducted && box.checked) deducted.value = "0";
  });
  form.addEventListener("submit", function () {
    dirty = false;
  });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  document.addEventListener(
    "submit",
    function (event) {
      var target = event.target;
      if (target === form || !dirty || !/^evidence-/.test(target.id || "")) return;
      if (!window.confirm("评分有未保存的修改，继续将丢失这些修改。建议先“保存草稿”。仍要继续吗？")) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      dirty = false; // the user chose to leave the edits behind

    },
    true
  );
})();

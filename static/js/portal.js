/*
 * 安全生产标准化管理平台 — 页面脚本（无内联脚本，便于以后启用 CSP）
 *
 * (a) data-confirm：<form data-confirm="…">、<a data-confirm="…">、<button data-confirm="…">
 *     在提交/跳转前弹出 window.confirm，取消则阻止。
 * (b) htmx 请求自动带上 CSRF 令牌（读取 <meta name="csrf-token" content="…">）。
 * (c) [data-print] 按钮调用 window.print()。
 * (d) <select data-autosubmit> 变更后自动提交所在表单（筛选栏用）。
 */
(function () {
  "use strict";

  var DEFAULT_CONFIRM = "确定要执行此操作吗？";

  function confirmMessage(el) {
    var msg = el.getAttribute("data-confirm");
    return msg && msg.trim() ? msg : DEFAULT_CONFIRM;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // (a) 链接 / 按钮：捕获阶段处理，先于元素自身（含 htmx）的监听器执行。
  document.addEventListener(
    "click",
    function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) return;

      // (c) 打印
      var printer = target.closest("[data-print]");
      if (printer) {
        event.preventDefault();
        window.print();
        return;
      }

      var el = target.closest(
        "a[data-confirm], button[data-confirm], input[type=submit][data-confirm]"
      );
      if (!el || el.disabled) return;
      if (!window.confirm(confirmMessage(el))) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      // 已确认：标记，避免所在 <form data-confirm> 再问一次。
      var form = el.form;
      if (form) {
        form.dataset.confirmed = "1";
        window.setTimeout(function () {
          delete form.dataset.confirmed;
        }, 0);
      }
    },
    true
  );

  // (a) 表单提交（含回车提交）。
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
      if (form.dataset.confirmed === "1") {
        delete form.dataset.confirmed;
        return;
      }
      if (!window.confirm(confirmMessage(form))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // (b) htmx CSRF
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // (d) 筛选下拉框自动提交
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      if (typeof el.form.requestSubmit === "function") {
        el.form.requestSubmit();
      } else {
        el.form.submit();
      }
    }
  });
})();

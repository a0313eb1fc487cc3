/*
 * 自评页（无内联脚本）：
 * (a) 勾选“空项”时把该项扣分置 0；
 * (b) 得分随填写即时计算（与 reviews/scoring.py 相同的规则：得分 = 实得分 ÷ 应得分 × 100，
 *     空项不计入应得分），扣分超出范围的项目即时标红；
 * (c) 保存或提交时有填写错误，跳到第一个出错的项目（服务器返回的错误同样在打开页面时跳到该项）；
 * (d) 评分有未保存的修改时上传或删除佐证材料：先自动保存草稿，再上传（修改不会丢失）；
 *     只有评分本身有错误、无法保存时才停下来，跳到出错的项目；
 * (e) 有未保存的修改时离开页面，浏览器会提示。
 * 只有属于评分表单的控件才算“修改”：选择要上传的文件不算。
 */
(function () {
  "use strict";

  var form = document.getElementById("assessment-form");
  if (!form) return;
  var dirty = false;

  function ownField(el) {
    return el && el.form === form && el.type !== "file";
  }

  function fieldOf(row, suffix) {
    return row.querySelector('[name$="-' + suffix + '"]');
  }

  function number(text) {
    var value = parseFloat(String(text).replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function oneDecimal(value) {
    return (Math.round(value * 10 + 1e-9) / 10).toFixed(1); // as reviews/scoring.one_decimal
  }

  // --- (b) the live score and the row checks ---------------------------------------------
  function rowProblem(row, submitting) {
    var deducted = fieldOf(row, "deducted");
    var na = fieldOf(row, "not_applicable");
    var reason = fieldOf(row, "reason");
    if (!deducted) return "";
    var points = number(row.getAttribute("data-points")) || 0;
    var value = deducted.value.trim() === "" ? null : number(deducted.value);
    if (deducted.value.trim() !== "" && value === null) return "扣分须是数字";
    if (value !== null && value < 0) return "扣分不能小于 0";
    if (value !== null && value > points) return "扣分不能超过该项分值 " + points + " 分";
    if (submitting && reason && !reason.value.trim() && ((na && na.checked) || (value || 0) > 0)) {
      return "未得满分或标记空项的项目须填写理由";
    }
    return "";
  }

  function showProblem(row, message) {
    var deducted = fieldOf(row, "deducted");
    var note = row.querySelector("[data-live-error]");
    if (!note && !message) return; // leave what the server said alone
    if (!note) {
      note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.setAttribute("data-live-error", "");
      deducted.parentNode.appendChild(note);
    }
    if (note) note.textContent = message;
    row.classList.toggle("table-danger", !!message);
    deducted.classList.toggle("is-invalid", !!message && !/理由/.test(message));
    var reason = fieldOf(row, "reason");
    if (reason) reason.classList.toggle("is-invalid", /理由/.test(message));
  }

  function recompute() {
    var earned = 0;
    var possible = 0;
    form.ownerDocument.querySelectorAll("[data-element]").forEach(function (section) {
      var sectionEarned = 0;
      section.querySelectorAll("tr[data-points]").forEach(function (row) {
        var points = number(row.getAttribute("data-points")) || 0;
        var deducted = fieldOf(row, "deducted");
        var na = fieldOf(row, "not_applicable");
        var cell = row.querySelector("[data-earned]");
        if (!deducted) return;
        showProblem(row, rowProblem(row, false));
        if (na && na.checked) {
          if (cell) cell.textContent = "—";
          return;
        }
        var d = Math.min(Math.max(number(deducted.value) || 0, 0), points);
        var rowEarned = Math.max(points - d, 0);
        if (cell) cell.textContent = oneDecimal(rowEarned);
        sectionEarned += rowEarned;
        earned += rowEarned;
        possible += points;
      });
      var total = section.querySelector("[data-element-earned]");
      if (total) total.textContent = oneDecimal(sectionEarned);
    });
    var score = document.getElementById("assessment-score");
    if (score) score.textContent = possible ? oneDecimal((earned / possible) * 100) : "—";
    var e = document.getElementById("assessment-earned");
    var a = document.getElementById("assessment-applicable");
    if (e) e.textContent = oneDecimal(earned);
    if (a) a.textContent = oneDecimal(possible);
  }

  // --- (c) jump to the first row in error -------------------------------------------------
  function jumpTo(row) {
    if (!row) return;
    row.scrollIntoView({ block: "center" });
    var input = row.querySelector(".is-invalid") || fieldOf(row, "deducted");
    if (input) input.focus({ preventScroll: true });
  }

  function firstProblemRow(submitting) {
    var rows = document.querySelectorAll("tr[data-points]");
    for (var i = 0; i < rows.length; i++) {
      var message = rowProblem(rows[i], submitting);
      if (message) {
        showProblem(rows[i], message);
        return rows[i];
      }
    }
    return null;
  }

  form.addEventListener("input", function (event) {
    if (!ownField(event.target)) return;
    dirty = true;
    recompute();
  });
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (!ownField(box)) return;
    dirty = true;
    if (box.type === "checkbox" && /-not_applicable$/.test(box.name) && box.checked) {
      var deducted = form.querySelector('[name="' + box.name.replace(/not_applicable$/, "deducted") + '"]');
      if (deducted) deducted.value = "0";
    }
    recompute();
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var submitting = submitter && submitter.value === "submit";
    var row = firstProblemRow(submitting);
    if (row) {
      event.preventDefault();
      event.stopImmediatePropagation();
      jumpTo(row);
      return;
    }
    dirty = false;
  });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // --- (d) upload or delete evidence with unsaved edits: save the draft first -----------------
  function saveDraftThen(next) {
    var data = new FormData(form);
    data.set("action", "save");
    return fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (response.redirected && response.ok) {
        dirty = false;
        next();
        return;
      }
      // The draft has errors the server found: show them (the edits come back with the page).
      dirty = false;
      var save = form.querySelector('button[value="save"]');
      if (form.requestSubmit && save) form.requestSubmit(save);
      else form.submit();
    });
  }

  document.addEventListener(
    "submit",
    function (event) {
      var target = event.target;
      if (target === form || !dirty || !/^evidence-/.test(target.id || "")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      var row = firstProblemRow(false);
      if (row) {
        jumpTo(row);
        return;
      }
      var status = document.getElementById("assessment-autosave");
      if (status) status.textContent = "正在保存草稿…";
      saveDraftThen(function () {
        target.submit(); // the upload itself, now that the edits are saved
      });
    },
    true
  );

  var serverError = document.querySelector("tr[data-points].table-danger");
  if (serverError) jumpTo(serverError);
})();

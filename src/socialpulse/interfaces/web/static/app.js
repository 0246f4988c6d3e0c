/* socialpulse pages: draw Vega-Lite charts, small form conveniences. No external requests. */
(function () {
  "use strict";

  /* ast + vega-interpreter (vendor/vega-interpreter.min.js sets vega.expressionInterpreter):
     Vega evaluates its expressions without eval/Function, so the CSP can forbid 'unsafe-eval'. */
  /* defaultStyle/disableDefaultStyle: vega-embed and its tooltip would insert <style> elements,
     which the CSP refuses; their rules are in static/embedded.css. */
  var EMBED_OPTIONS = { actions: false, renderer: "svg", ast: true, defaultStyle: false,
                        tooltip: { theme: "light", disableDefaultStyle: true } };

  /* Draw every [data-vega-spec] element under root that is not drawn yet.
     Marks the element data-rendered="true" when done, data-render-error="..." on failure. */
  function renderCharts(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var nodes = Array.prototype.slice.call(scope.querySelectorAll("[data-vega-spec]"));
    if (scope.matches && scope.matches("[data-vega-spec]")) nodes.push(scope);
    nodes.forEach(function (el) {
      if (el.hasAttribute("data-rendered") || el.hasAttribute("data-rendering")) return;
      var spec;
      try {
        spec = JSON.parse(el.getAttribute("data-vega-spec"));
      } catch (err) {
        fail(el, "invalid chart spec: " + err.message);
        return;
      }
      if (typeof window.vegaEmbed !== "function") {
        fail(el, "the chart library did not load");
        return;
      }
      el.setAttribute("data-rendering", "true");
      el.removeAttribute("data-render-error");
      window.vegaEmbed(el, spec, EMBED_OPTIONS).then(function (result) {
        el.removeAttribute("data-rendering");
        el.setAttribute("data-rendered", "true");
        el._vegaView = result.view;
      }).catch(function (err) {
        el.removeAttribute("data-rendering");
        fail(el, (err && err.message) || String(err));
      });
    });
  }

  function fail(el, message) {
    el.setAttribute("data-render-error", message);
    el.textContent = "This chart could not be drawn: " + message;
    el.classList.add("chart-error");
    if (window.console) console.error("socialpulse chart:", message);
  }

  /* The page's CSRF token (base.html's meta) rides on every htmx request and same-origin
     fetch as X-CSRF-Token; plain forms carry it as a hidden field (csrf_input()). */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (ev) {
    ev.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  if (typeof window.fetch === "function") {
    var nativeFetch = window.fetch;
    window.fetch = function (input, init) {
      var url = new URL(input instanceof Request ? input.url : String(input), window.location.href);
      if (url.origin !== window.location.origin) return nativeFetch(input, init);
      var options = Object.assign({}, init || {});
      var headers = new Headers(options.headers || (input instanceof Request ? input.headers : {}));
      if (!headers.has("X-CSRF-Token")) headers.set("X-CSRF-Token", csrfToken());
      options.headers = headers;
      return nativeFetch(input, options);
    };
  }

  /* A <select data-autosubmit> submits its form (workspace switcher). */
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) {
      t.form.submit();
    }
    if (t && t.matches && t.matches("[data-period-picker] select")) {
      togglePeriod(t.closest("[data-period-picker]"));
    }
  });

  /* Custom dates are shown only when the "Custom" period is chosen. */
  function togglePeriod(picker) {
    if (!picker) return;
    var select = picker.querySelector("select");
    var dates = picker.querySelector("[data-custom-dates]");
    if (select && dates) dates.classList.toggle("is-hidden", select.value !== "custom");
  }

  /* Sizes and colours that come from data (goal progress bars, brand swatches): the CSP allows
     no style="" attributes, so they ride in data-* attributes and are set through the CSSOM,
     numbers and #hex colours only. */
  function applyDataStyles(scope) {
    function each(selector, apply) {
      Array.prototype.forEach.call(scope.querySelectorAll(selector), apply);
    }
    function pct(text) {
      var v = parseFloat(text);
      return isFinite(v) ? Math.max(0, Math.min(100, v)) + "%" : null;
    }
    each("[data-pct-width]", function (el) {
      var v = pct(el.getAttribute("data-pct-width"));
      if (v) el.style.width = v;
    });
    each("[data-pct-left]", function (el) {
      var v = pct(el.getAttribute("data-pct-left"));
      if (v) el.style.left = v;
    });
    each("[data-swatch]", function (el) {
      var v = el.getAttribute("data-swatch");
      if (/^#[0-9a-fA-F]{3,8}$/.test(v)) el.style.background = v;
    });
  }

  function init(root) {
    renderCharts(root);
    var scope = root && root.querySelectorAll ? root : document;
    applyDataStyles(scope);
    Array.prototype.forEach.call(scope.querySelectorAll("[data-period-picker]"), togglePeriod);
  }

  /* htmx swapped a fragment in: draw its charts. */
  document.addEventListener("htmx:afterSettle", function (ev) { init(ev.target); });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }

  window.socialpulse = { renderCharts: renderCharts };
})();

// Progressive enhancement only: every page works without this file.
// Shows plan times in the reader's own time zone instead of UTC.
(function () {
  "use strict";
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  } catch (e) {
    return;
  }
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var at = new Date(el.getAttribute("datetime"));
    if (isNaN(at.getTime())) { return; }
    var text = el.textContent || "";
    var rel = text.indexOf("(") >= 0 ? " " + text.slice(text.indexOf("(")) : "";
    el.textContent = fmt.format(at) + rel;
  });
})();

// Check-in times typed in local time: tell the server this browser's offset from UTC.
(function () {
  "use strict";
  var offset = String(new Date().getTimezoneOffset());
  document.querySelectorAll("input[name=tz_offset]").forEach(function (el) { el.value = offset; });
})();

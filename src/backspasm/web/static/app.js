// Progressive enhancement only: every page works without this file.
// Shows a question's follow-up in place when "Not sure" is chosen (without script, the next page asks it).
(function () {
  "use strict";
  document.querySelectorAll("fieldset[data-followup]").forEach(function (box) {
    var name = box.getAttribute("data-followup");
    var choices = document.querySelectorAll("input[type=radio][name='" + name + "']");
    function sync() {
      var unsure = false;
      choices.forEach(function (el) { if (el.checked && el.value === "unsure") { unsure = true; } });
      box.hidden = !unsure;
      box.disabled = !unsure;  // a hidden follow-up is never sent
    }
    choices.forEach(function (el) {
      if (el.value === "unsure") { el.setAttribute("aria-controls", box.id); }
      el.addEventListener("change", sync);
    });
    sync();
  });
})();

// Shows times in the reader's own time zone, and tells the server that zone with each diary form.
(function () {
  "use strict";
  var fmt, zone = "";
  try {
    fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
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
  if (!zone) { return; }
  // Times typed into a diary form are wall-clock times in this browser's zone.
  document.querySelectorAll("input[name=tz]").forEach(function (el) { el.value = zone; });
  document.querySelectorAll("[data-zone-name]").forEach(function (el) { el.textContent = zone; });
})();

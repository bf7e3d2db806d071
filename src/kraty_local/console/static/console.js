// The Kraty Local console's progressive enhancement: every page works without this file.
"use strict";

// Times in the reader's own zone (the page shows UTC; the exact value stays in the title).
for (const time of document.querySelectorAll("time[datetime]")) {
  const at = new Date(time.dateTime);
  if (!Number.isNaN(at.getTime())) {
    time.title = time.dateTime;
    time.textContent = at.toLocaleString();
  }
}

// One submission per click: the button is disabled once the form is on its way (a second
// submit would only replay, as each form carries its own idempotency key).
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[type=submit]");
  if (button) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});
// Coming back with the browser's Back button shows the page as it was left: enable it again.
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("button[disabled]")) {
    button.disabled = false;
  }
});

// "/" jumps to the search box, as on many sites.
document.addEventListener("keydown", (event) => {
  const search = document.getElementById("q");
  const typing = event.target.closest("input, select, textarea");
  if (event.key === "/" && search && !typing) {
    event.preventDefault();
    search.focus();
  }
});

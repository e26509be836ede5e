// Ask before destructive actions and copy shown-once secrets; every page works without it.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-copy]");
  if (!target) return;
  const text = document.getElementById(target.dataset.copy).textContent.trim();
  navigator.clipboard.writeText(text).then(() => { target.textContent = "Copied"; });
});
// Follow a pending connectivity test: fetch the page again until the worker's outcome is in it.
const pending = document.querySelector("[data-poll]");
if (pending) {
  const poll = () => {
    fetch(pending.dataset.poll, { credentials: "same-origin" })
      .then((response) => response.text())
      .then((html) => {
        const next = new DOMParser().parseFromString(html, "text/html").getElementById(pending.id);
        if (next && !next.dataset.poll) pending.replaceWith(next);
        else if (next) window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 3000));
  };
  window.setTimeout(poll, 500);
}

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

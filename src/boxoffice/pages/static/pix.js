// The Pix payment page: copy the code, and move on once the order is settled.
(() => {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const field = document.querySelector(button.dataset.copy);
      try { await navigator.clipboard.writeText(field.value); } catch { field.select(); document.execCommand("copy"); }
      button.textContent = button.dataset.copied;
    });
  }
  const waiting = document.querySelector("[data-order-poll]");
  if (!waiting) return;
  const poll = async () => {
    try {
      const answer = await fetch(waiting.dataset.orderPoll, { credentials: "same-origin" });
      if (answer.ok && (await answer.json()).status !== "pending") { window.location.reload(); return; }
    } catch { /* offline for a moment: ask again */ }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
})();

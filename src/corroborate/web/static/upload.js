// Upload progress: polls /api/jobs/{id} and refreshes the table until every file is done.
(function () {
  "use strict";
  const box = document.getElementById("job");
  if (!box || box.dataset.done === "yes") return;
  const id = box.dataset.job;
  let messages = {};
  try {
    messages = JSON.parse((document.getElementById("js-messages") || {}).textContent || "{}");
  } catch (e) { /* English then */ }
  function _(text) { return messages[text] || text; }
  const statuses = JSON.parse(box.dataset.statuses || "{}");

  function cell(text, href) {
    const td = document.createElement("td");
    if (href) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
    return td;
  }

  function render(job) {
    document.getElementById("job-progress").textContent =
      (job.total === 1 ? _("%(done)s of %(total)s file done") : _("%(done)s of %(total)s files done"))
        .replace("%(done)s", job.finished).replace("%(total)s", job.total) +
      (job.done ? "." : _(", working…"));
    const body = box.querySelector("tbody");
    body.replaceChildren(...job.files.map(function (f) {
      const tr = document.createElement("tr");
      tr.appendChild(cell(f.name));
      tr.appendChild(cell((statuses[f.status] || f.status) + (f.error ? ": " + f.error : "")));
      tr.appendChild(f.report_id ? cell(f.report_id, "/reports/" + encodeURIComponent(f.report_id)) : cell(""));
      return tr;
    }));
    box.dataset.done = job.done ? "yes" : "no";
  }

  function poll() {
    fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) { render(job); if (!job.done) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();

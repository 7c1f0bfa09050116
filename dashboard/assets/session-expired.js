// When the session has expired, the server answers Dash's requests with 401:
// go to the sign-in page (and come back here afterwards) instead of failing.
(function () {
  const originalFetch = window.fetch;
  window.fetch = async function (...args) {
    const response = await originalFetch.apply(this, args);
    if (response.status === 401) {
      const here = window.location.pathname + window.location.search;
      window.location.assign("/login?next=" + encodeURIComponent(here));
    }
    return response;
  };
})();

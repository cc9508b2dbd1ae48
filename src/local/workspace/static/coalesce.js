/**
 * Wraps a refresh so calls never overlap: a call while one runs makes it run once more after,
 * however many came in (a burst of change notices costs two fetches, not one per notice).
 */
export function coalesced(run) {
  let running = null;
  let again = false;
  return function refresh() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await run();
      } while (again);
    })().finally(() => (running = null));
    return running;
  };
}

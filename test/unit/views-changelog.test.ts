/**
 * The changelog never loses a section (issue #26): with 12 KBs, 30 upgrades, 100 programs added
 * and 5 removed, every section shows with its count in the version details and in the thread;
 * a changelog too long for a few thread posts becomes a summary and an attached Markdown file.
 */
import type { Changelog } from '../../src/domain/inventory.js';
import { CHANGELOG_MAX_POSTS, CHANGELOG_POST_CHARS, changelogDelivery, changelogText } from '../../views/changelog.js';
import { SLACK_LIMIT } from '../../views/blocks.js';
import { messageTextRefusal } from '../../views/limits.js';

function changelog(kbs: number, upgrades: number, added: number, removed: number): Changelog & { comparedWith: 'packaging-machine' } {
  return {
    comparedWith: 'packaging-machine',
    updatesAdded: Array.from({ length: kbs }, (_, i) => ({ kb: `KB50${String(i).padStart(5, '0')}`, installedOn: '2026-11-02' })),
    programsUpgraded: Array.from({ length: upgrades }, (_, i) => ({ name: `Upgraded program ${i} with a long & <odd> name`, from: '1.0.0.1234', to: '2.0.0.5678' })),
    programsAdded: Array.from({ length: added }, (_, i) => ({ name: `Added program ${i} for the packaging layer`, version: '10.2.3.4567', publisher: 'Contoso Software Ltd' })),
    programsRemoved: Array.from({ length: removed }, (_, i) => ({ name: `Removed program ${i}`, version: '3.1', publisher: '' })),
  };
}

const HEADERS = ['*Updates added (12)*', '*Programs upgraded (30)*', '*Programs added (100)*', '*Programs removed (5)*'];

describe('the changelog', () => {
  const big = changelog(12, 30, 100, 5);

  it('keeps every section with its count in one section of the version details, and says what it left out', () => {
    const text = changelogText(big, 'base');
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMIT.sectionText);
    for (const header of HEADERS) expect(text).toContain(header);
    expect(text).toContain('• Removed program 4 3.1');
    expect(text).toMatch(/• …and \d+ more/);
    expect(text).toContain('Upgraded program 0 with a long &amp; &lt;odd&gt; name');
  });

  it('puts it whole in the thread, every section and every line, each post within the limits', () => {
    const delivery = changelogDelivery(big, 'base', '2026-11');
    if (delivery.kind !== 'posts') throw new Error('expected thread posts');
    const all = delivery.posts.join('\n');
    for (const header of HEADERS) expect(all).toContain(header);
    for (let i = 0; i < 100; i++) expect(all).toContain(`• Added program ${i} for the packaging layer 10.2.3.4567`);
    expect(all).not.toContain('more');
    expect(delivery.posts.length).toBeGreaterThan(1);
    expect(delivery.posts.length).toBeLessThanOrEqual(CHANGELOG_MAX_POSTS);
    for (const post of delivery.posts) {
      expect(post.length).toBeLessThanOrEqual(CHANGELOG_POST_CHARS);
      expect(messageTextRefusal(post, 'chat.postMessage')).toBeUndefined();
    }
    // A section split over posts says so.
    expect(all).toContain('*Programs added (100)*, continued');
  });

  it('shows an empty section as none rather than dropping its header', () => {
    const text = changelogText(changelog(0, 0, 3, 0), undefined);
    expect(text).toContain('*Programs removed (0)*\nnone');
    expect(text).toContain('*Updates added (0)*\nnone');
  });

  it('attaches the whole changelog as a Markdown file when the thread would be too long, with a summary that keeps every section', () => {
    const huge = changelog(400, 300, 2000, 500);
    const delivery = changelogDelivery(huge, 'base <x>', '2026-11 <beta>');
    if (delivery.kind !== 'file') throw new Error('expected a file');
    expect(delivery.summary.length).toBeLessThanOrEqual(CHANGELOG_POST_CHARS);
    for (const header of ['*Updates added (400)*', '*Programs upgraded (300)*', '*Programs added (2000)*', '*Programs removed (500)*']) expect(delivery.summary).toContain(header);
    expect(delivery.summary).toContain('The whole changelog is attached as changelog-2026-11_beta_.md');
    expect(delivery.file.filename).toBe('changelog-2026-11_beta_.md');
    expect(delivery.file.content).toContain('## Programs added (2000)');
    expect(delivery.file.content).toContain('- Added program 1999 for the packaging layer 10.2.3.4567 (Contoso Software Ltd)');
    expect(delivery.file.content).toContain('- Upgraded program 299 with a long & <odd> name: 1.0.0.1234 → 2.0.0.5678');
  });
});

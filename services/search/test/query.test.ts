import { describe, expect, it } from 'vitest';
import { parseQuery } from '../src/domain/query.js';
import { snippetOf } from '../src/domain/snippet.js';

describe('query parsing', () => {
  it('when a query has words, phrases, exclusions and OR, then each lands in its place', () => {
    expect(parseQuery('deploy "release notes" -draft (prod), OR staging')).toEqual({
      text: 'deploy "release notes" -draft (prod), OR staging',
      words: ['deploy', 'prod', 'staging'],
      phrases: ['release notes'],
      excluded: ['draft'],
      hasOr: true,
    });
  });

  it('when a word is hyphenated, a path or a lone dash, then it stays a word', () => {
    expect(parseQuery('state-of-the-art /srv/app.ts - x').words).toEqual(['state-of-the-art', '/srv/app.ts', '-', 'x']);
  });

  it('when a phrase is unclosed or empty, then it is read up to the end or ignored', () => {
    expect(parseQuery('"open phrase').phrases).toEqual(['open phrase']);
    expect(parseQuery('"" x').phrases).toEqual([]);
  });
});

describe('snippets', () => {
  it('when the match is deep in a long text, then the snippet starts near it, marked and escaped', () => {
    const text = `${'a '.repeat(200)}<i>Needle</i> ${'b '.repeat(200)}`;
    const s = snippetOf(text, ['needle']);
    expect(s).toMatch(/^….*&#60;i&#62;<mark>Needle<\/mark>&#60;\/i&#62;.*…$/);
  });

  it('when terms overlap, then one mark covers both', () => {
    expect(snippetOf('foobar', ['foo', 'oba'])).toBe('<mark>fooba</mark>r');
  });

  it('when a cut would split a surrogate pair, then it does not', () => {
    const s = snippetOf(`${'😀'.repeat(200)}x`, ['x']);
    expect(s.isWellFormed()).toBe(true);
  });
});

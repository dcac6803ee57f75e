import { describe, expect, it } from 'vitest';
import { isRunFragment, matchSql, parseQuery } from '../src/domain/query.js';
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

describe('match SQL', () => {
  const runs = (words: (string[] | null)[]) => ({ substringIndex: true, runs: { of: 'RUNS', words } });

  it('when a word is three or more letters and digits, then it can be served by runs; else not', () => {
    expect(['abc', 'Err42', '007'].map(isRunFragment)).toEqual([true, true, true]);
    expect(['ab', 'err_42', 'naïve', '/srv', 'a-b'].map(isRunFragment)).toEqual([false, false, false, false, false]);
  });

  it('when runs serve every word, then the words match through them and the full-text arm is left out', () => {
    const m = matchSql(parseQuery('abc def'), 'DOC', 'TSV', 'q', runs([['abc', 'xabcx'], []]));
    expect(m.sql).toBe('(RUNS && $<qr0>::text[] AND RUNS && $<qr1>::text[])');
    expect(m.params).toMatchObject({ qr0: ['abc', 'xabcx'], qr1: [] });
  });

  it('when a word has no list, then it matches through ILIKE and the full-text arm stays', () => {
    const m = matchSql(parseQuery('abc err_42'), 'DOC', 'TSV', 'q', runs([['abc'], null]));
    expect(m.sql).toBe("(TSV @@ websearch_to_tsquery('simple', $<qq>) OR (RUNS && $<qr0>::text[] AND DOC ILIKE $<qw1>))");
    expect(m.params).toMatchObject({ qw1: '%err\\_42%' });
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

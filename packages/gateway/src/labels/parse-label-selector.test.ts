import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isShellgateError } from '@shellgate/driver-sdk';

import { InvalidLabelSelectorError } from './errors.js';
import { SelectorOperator, formatLabelSelector, matchesLabelSelector } from './label-selector.js';
import type { LabelRequirement } from './label-selector.js';
import { parseLabelSelector } from './parse-label-selector.js';

describe('parseLabelSelector', () => {
  const cases: ReadonlyArray<[string, LabelRequirement[]]> = [
    ['', []],
    ['   ', []],
    ['app=web', [{ key: 'app', operator: SelectorOperator.Equals, values: ['web'] }]],
    ['app==web', [{ key: 'app', operator: SelectorOperator.Equals, values: ['web'] }]],
    ['app = web', [{ key: 'app', operator: SelectorOperator.Equals, values: ['web'] }]],
    ['app!=web', [{ key: 'app', operator: SelectorOperator.NotEquals, values: ['web'] }]],
    ['tier=', [{ key: 'tier', operator: SelectorOperator.Equals, values: [''] }]],
    ['env in (dev,qa)', [{ key: 'env', operator: SelectorOperator.In, values: ['dev', 'qa'] }]],
    ['env in ( dev , qa )', [{ key: 'env', operator: SelectorOperator.In, values: ['dev', 'qa'] }]],
    ['env notin (prod)', [{ key: 'env', operator: SelectorOperator.NotIn, values: ['prod'] }]],
    ['env notin(prod)', [{ key: 'env', operator: SelectorOperator.NotIn, values: ['prod'] }]],
    ['gpu', [{ key: 'gpu', operator: SelectorOperator.Exists, values: [] }]],
    ['!legacy', [{ key: 'legacy', operator: SelectorOperator.DoesNotExist, values: [] }]],
    ['! legacy', [{ key: 'legacy', operator: SelectorOperator.DoesNotExist, values: [] }]],
    ['example.com/team=a_b-c.d', [{ key: 'example.com/team', operator: SelectorOperator.Equals, values: ['a_b-c.d'] }]],
    ['in=x', [{ key: 'in', operator: SelectorOperator.Equals, values: ['x'] }]],
    [
      'app=web,env in (dev,qa),gpu,!legacy,tier!=db',
      [
        { key: 'app', operator: SelectorOperator.Equals, values: ['web'] },
        { key: 'env', operator: SelectorOperator.In, values: ['dev', 'qa'] },
        { key: 'gpu', operator: SelectorOperator.Exists, values: [] },
        { key: 'legacy', operator: SelectorOperator.DoesNotExist, values: [] },
        { key: 'tier', operator: SelectorOperator.NotEquals, values: ['db'] },
      ],
    ],
  ];
  for (const [text, requirements] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseLabelSelector(text).requirements, requirements);
    });
  }

  it('formats back to text that parses to the same selector', () => {
    const selector = parseLabelSelector('app==web, env in (dev,qa),gpu,!legacy,tier!=db,x=');
    const text = formatLabelSelector(selector);
    assert.equal(text, 'app=web,env in (dev,qa),gpu,!legacy,tier!=db,x=');
    assert.deepEqual(parseLabelSelector(text), selector);
  });

  const errors: ReadonlyArray<[string, number, RegExp]> = [
    ['app=web,', 9, /expected a label key, got the end of the selector/],
    [',app', 1, /expected a label key, got ","/],
    ['app=web,,x', 9, /expected a label key, got ","/],
    ['app=web x', 9, /expected "," between requirements, got "x"/],
    ['env in dev', 8, /expected "\(" after "in", got "dev"/],
    ['env in ()', 9, /expected a value inside "in \(...\)", got "\)"/],
    ['env in (a,b', 12, /expected "," or "\)" to close "in \(...\)", got the end/],
    ['env notin (a,)', 14, /expected a value after ",", got "\)"/],
    ['env exists', 5, /expected an operator \(=, ==, !=, in, notin\), "," or the end, got "exists"/],
    ['!', 2, /expected a label key after "!", got the end/],
    ['app=we b', 8, /expected "," between requirements, got "b"/],
    ['app=w*b', 6, /unexpected character "\*"/],
    ['app="web"', 5, /unexpected character "\\""/],
    ['a=b=c', 4, /expected "," between requirements, got "="/],
    ['app=web,-bad=x', 9, /invalid label key: key name must be .*, got "-bad"/],
    ['Example.com/x', 1, /invalid label key: key prefix must be a lowercase DNS subdomain/],
    ['app in (ok,bad-)', 12, /invalid label value: value must be empty or letters.*, got "bad-"/],
    [`app=${'v'.repeat(64)}`, 5, /invalid label value: value must be at most 63 characters/],
  ];
  for (const [text, column, message] of errors) {
    it(`rejects ${JSON.stringify(text)} at column ${column}`, () => {
      assert.throws(
        () => parseLabelSelector(text),
        (error: unknown) => {
          assert.ok(error instanceof InvalidLabelSelectorError);
          assert.ok(isShellgateError(error));
          assert.equal(error.code, 'INVALID_ARGUMENT');
          assert.equal(error.column, column);
          assert.match(error.message, message);
          assert.ok(error.message.includes(JSON.stringify(text)), error.message);
          assert.ok(error.message.endsWith(`at column ${column}`), error.message);
          assert.ok(error.hint !== undefined);
          return true;
        },
      );
    });
  }
});

describe('matchesLabelSelector', () => {
  const labels = { app: 'web', env: 'dev', gpu: '', 'example.com/team': 'core' };
  const cases: ReadonlyArray<[string, Record<string, string>, boolean]> = [
    ['', {}, true],
    ['', labels, true],
    ['app=web', labels, true],
    ['app=api', labels, false],
    ['app!=api', labels, true],
    ['app!=web', labels, false],
    ['missing!=x', labels, true],
    ['missing=x', labels, false],
    ['gpu', labels, true],
    ['gpu=', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!gpu', labels, false],
    ['env in (dev,qa)', labels, true],
    ['env in (prod)', labels, false],
    ['missing in (x)', labels, false],
    ['env notin (prod)', labels, true],
    ['env notin (dev,qa)', labels, false],
    ['missing notin (x)', labels, true],
    ['example.com/team=core', labels, true],
    ['app=web,env=dev', labels, true],
    ['app=web,env=prod', labels, false],
    ['app=web,!gpu', labels, false],
  ];
  for (const [text, subject, expected] of cases) {
    it(`${JSON.stringify(text)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(subject)}`, () => {
      assert.equal(matchesLabelSelector(parseLabelSelector(text), subject), expected);
    });
  }

  it('does not treat inherited object properties as labels', () => {
    assert.equal(matchesLabelSelector(parseLabelSelector('constructor'), {}), false);
    assert.equal(matchesLabelSelector(parseLabelSelector('!toString'), {}), true);
  });
});

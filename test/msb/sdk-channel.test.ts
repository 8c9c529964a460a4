import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LocatedMsb } from '../../src/msb/locate.ts';
import { chooseChannel, sdkFacts, type SdkFacts } from '../../src/msb/sdk-channel.ts';

const BUNDLED: LocatedMsb = { path: '/x/node_modules/@superradcompany/microsandbox-linux-x64-gnu/bin/msb', source: 'bundled' };
const FACTS: SdkFacts = { sdkVersion: '0.6.18', bundledVersion: '0.6.18', binding: true, samePlatformPackage: true };
const ENV = { PATH: '/usr/bin', HOME: '/home/u', MSB_HOME: '/tmp/h' };

describe('which channel observes', () => {
  it('is the SDK when msb is the bundled one of the SDK release and the environment is the process one', () => {
    const choice = chooseChannel(BUNDLED, ENV, FACTS, { ...ENV, OTHER: '1' });
    assert.equal(choice.channel, 'sdk');
    assert.match(choice.reason, /bundled 0\.6\.18 .* same release/);
  });

  for (const [source, reason] of [
    ['flag', /the --msb option/],
    ['OWCTL_MSB', /OWCTL_MSB/],
    ['MSB_PATH', /MSB_PATH/],
    ['PATH', /msb on PATH/],
  ] as const) {
    it(`is the CLI when msb comes from ${source}`, () => {
      const choice = chooseChannel({ path: '/opt/msb', source }, ENV, FACTS, ENV);
      assert.equal(choice.channel, 'cli');
      assert.match(choice.reason, reason);
    });
  }

  const cases: Array<[string, Partial<SdkFacts>, RegExp]> = [
    ['the SDK is not installed', { sdkVersion: null }, /SDK package is not installed/],
    ['the versions differ', { sdkVersion: '0.7.2' }, /version mismatch: the microsandbox SDK is 0\.7\.2, the bundled msb package 0\.6\.18/],
    ['both are another release than the pinned one', { sdkVersion: '0.7.2', bundledVersion: '0.7.2' }, /are 0\.7\.2; owctl's SDK channel is proven against 0\.6\.18 only/],
    ['the platform package has no binding', { binding: false }, /no native binding/],
    ['the SDK would load another platform package', { samePlatformPackage: false }, /another copy/],
  ];
  for (const [what, facts, reason] of cases) {
    it(`is the CLI when ${what}`, () => {
      const choice = chooseChannel(BUNDLED, ENV, { ...FACTS, ...facts }, ENV);
      assert.equal(choice.channel, 'cli');
      assert.match(choice.reason, reason);
    });
  }

  it('is the CLI when the command runs with msb variables other than its process (the SDK reads the process)', () => {
    const choice = chooseChannel(BUNDLED, { ...ENV, MSB_HOME: '/elsewhere', MSB_BACKEND: 'cloud' }, FACTS, ENV);
    assert.deepEqual(choice, { channel: 'cli', reason: "the SDK reads this process's environment, and MSB_BACKEND, MSB_HOME differ from the command's" });
    // Empty means unset, as for msb.
    assert.equal(chooseChannel(BUNDLED, { ...ENV, MSB_PROFILE: '' }, FACTS, ENV).channel, 'sdk');
  });

  it('is the CLI when OWCTL_OBSERVE=cli, or when the SDK already opened another MSB_HOME in this process', () => {
    assert.deepEqual(chooseChannel(BUNDLED, { ...ENV, OWCTL_OBSERVE: 'cli' }, FACTS, ENV), { channel: 'cli', reason: 'OWCTL_OBSERVE=cli' });
    assert.match(chooseChannel(BUNDLED, ENV, FACTS, ENV, '/tmp/other').reason, /already bound to another MSB_HOME/);
    assert.equal(chooseChannel(BUNDLED, ENV, FACTS, ENV, '/tmp/h').channel, 'sdk');
  });

  it('reads the installed packages: the pinned SDK and platform package, one copy, with the binding', () => {
    assert.deepEqual(sdkFacts(), FACTS);
  });
});

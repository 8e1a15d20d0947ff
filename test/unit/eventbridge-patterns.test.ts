/**
 * Event pattern matching of the local EventBridge (lib/local/eventbridge/pattern), checked against the examples in
 * AWS's documentation (EventBridge user guide: "Event pattern syntax", "Arrays in event patterns", "Content
 * filtering", "Comparison operators"), on the guide's example EC2 event, and the patterns AWS refuses.
 */
import { describe, expect, it } from '@jest/globals';
import { compilePattern, InvalidEventPattern, matchesPattern } from '@ecicomm/local-platform/eventbridge/pattern/index';

/** The example event of the user guide's content-filtering page. */
const EC2_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    FileName: 'photo.PNG',
    FilePath: '/usr/lib/node',
  },
};

const matches = (pattern: unknown, event: unknown = EC2_EVENT) =>
  matchesPattern(compilePattern(JSON.stringify(pattern)), event);

describe('EventBridge event patterns: the documented examples', () => {
  it('matches on fields at the top level and nested, every field required (AND), any listed value (OR)', () => {
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };
    expect(matches(pattern)).toBe(true);
    expect(matches({ source: ['aws.ec2', 'aws.fargate'] })).toBe(true);
    expect(matches({ ...pattern, detail: { state: ['running'] } })).toBe(false);
    expect(matches({ source: ['aws.ec2'], detail: { missing: ['x'] } })).toBe(false);
  });

  it('matches an array in the event when it shares any value with the pattern (Arrays in event patterns)', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matches(pattern, event)).toBe(true);
    expect(matches(pattern, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] })).toBe(false);
  });

  it('matches by prefix and by suffix, with and without equals-ignore-case', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(false);
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } })).toBe(false);
    expect(matches({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } })).toBe(true);
    expect(matches({ detail: { 'instance-id': [{ prefix: { 'equals-ignore-case': 'I-1234' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'equals-ignore-case': 'TERMINATED' }] } })).toBe(true);
  });

  it('matches anything-but a value, a list, a prefix, a suffix, a case-insensitive value or a wildcard', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } })).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ 'anything-but': [1, 5] }] } })).toBe(false);
    expect(matches({ region: [{ 'anything-but': { prefix: 'us-' } }] })).toBe(false);
    expect(matches({ detail: { FileName: [{ 'anything-but': { suffix: '.jpg' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED', 'x'] } }] } })).toBe(
      false,
    );
    expect(matches({ detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } })).toBe(false);
    // anything-but needs the field: a missing one does not match.
    expect(matches({ detail: { absent: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('matches numeric ranges and equality, only on numbers', () => {
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } })).toBe(false);
    expect(matches({ detail: { 'd-count': [{ numeric: ['<', 10] }] } })).toBe(true);
    expect(matches({ detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } })).toBe(false);
  });

  it('matches an IP address in a CIDR block, IPv4 and IPv6', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } })).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } })).toBe(false);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::1' })).toBe(true);
  });

  it('matches on a leaf that exists or does not, and treats an object as no leaf', () => {
    expect(matches({ detail: { state: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { 'no-such-field': [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: [{ exists: true }] })).toBe(false);
    expect(matches({ nothing: { deeper: [{ exists: false }] } })).toBe(true);
  });

  it('matches null and the empty string as values', () => {
    expect(matches({ responseElements: [null] }, { responseElements: null })).toBe(true);
    expect(matches({ responseElements: [null] }, {})).toBe(false);
    expect(matches({ lastName: [''] }, { lastName: '' })).toBe(true);
    expect(matches({ lastName: [''] }, { lastName: 'x' })).toBe(false);
  });

  it('matches wildcards, a star meaning any run of characters and an escaped star a star', () => {
    expect(matches({ detail: { FilePath: [{ wildcard: '*/lib/*' }] } })).toBe(true);
    expect(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axxb' })).toBe(false);
    expect(matches({ name: [{ wildcard: 'dir/*.png' }] }, { name: 'dir/a.png' })).toBe(true);
  });

  it('matches $or alternatives at any level, the rest of the object still required', () => {
    const pattern = {
      source: ['aws.ec2'],
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] })).toBe(false);
    expect(matches({ $or: [{ source: ['aws.s3'] }, { region: [{ prefix: 'us-' }] }] })).toBe(true);
    expect(matches({ $or: [{ source: ['aws.s3'] }, { region: ['eu-west-2'] }] })).toBe(false);
  });

  it('matches a nested pattern within one element of an array of objects', () => {
    const event = {
      detail: {
        items: [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 9 },
        ],
      },
    };
    expect(matches({ detail: { items: { sku: ['B'], qty: [{ numeric: ['>', 5] }] } } }, event)).toBe(true);
    expect(matches({ detail: { items: { sku: ['A'], qty: [{ numeric: ['>', 5] }] } } }, event)).toBe(false);
  });
});

describe('EventBridge event patterns: what AWS refuses (InvalidEventPatternException)', () => {
  it.each([
    ['not JSON', '{source: aws.ec2}'],
    ['not an object', '["aws.ec2"]'],
    ['an empty object', '{}'],
    ['a bare value instead of a list', '{"source": "aws.ec2"}'],
    ['an empty list', '{"source": []}'],
    ['an unknown operator', '{"source": [{"contains": "ec2"}]}'],
    ['two operators in one object', '{"source": [{"prefix": "a", "suffix": "b"}]}'],
    ['a numeric bound that is not a number', '{"n": [{"numeric": [">", "5"]}]}'],
    ['a numeric range with two lower bounds', '{"n": [{"numeric": [">", 1, ">=", 2]}]}'],
    ['a numeric range that is empty', '{"n": [{"numeric": [">", 5, "<", 1]}]}'],
    ['a number out of range', '{"n": [{"numeric": [">", 6e9]}]}'],
    ['exists that is not a boolean', '{"n": [{"exists": "yes"}]}'],
    ['anything-but with a mixed list', '{"n": [{"anything-but": ["a", 1]}]}'],
    ['a malformed CIDR block', '{"ip": [{"cidr": "10.0.0.0/33"}]}'],
    ['consecutive wildcards', '{"p": [{"wildcard": "a**b"}]}'],
    ['$or with one alternative', '{"$or": [{"source": ["a"]}]}'],
  ])('refuses %s', (_what, pattern) => {
    expect(() => compilePattern(pattern)).toThrow(InvalidEventPattern);
  });
});

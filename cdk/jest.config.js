/** Jest runs the TypeScript tests through SWC: fast, and type-checking stays with `tsc --noEmit`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // Synthesizing a CDK app takes a few seconds on a small machine.
  testTimeout: 60000,
};

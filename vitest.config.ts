import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs on the host (unit tests beside the code, integration tests against
// PostgreSQL/Mosquitto or their embedded stand-ins, browser tests); `vcan` needs SocketCAN and runs
// inside scripts/with-vcan (user-mode Linux when the host kernel has no CAN).
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', 'test/vcan/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'vcan',
          include: ['test/vcan/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // UML has one CPU: run files one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});

import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the browser tests: `CHROMIUM_PATH`, or the distribution's
 * `/usr/bin/chromium` (Debian/Ubuntu: `apt-get install chromium`).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

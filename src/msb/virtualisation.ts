/** `msb doctor`'s verdict on CPU virtualisation, read from its checks (the ✗ line, or its error line). */
const NO_VIRT = /✗\s*CPU virt|CPU virtuali[sz]ation is not available/;

export function lacksVirtualisation(checks: string): boolean {
  return NO_VIRT.test(checks);
}

/**
 * The tokens the OpenWork microsandbox image falls back to when its token variables are not set. They are public
 * (in the image's entrypoint script): a file may not use them, and verification proves a server refuses them.
 */
export const PUBLIC_CLIENT_TOKEN = 'microsandbox-token';
export const PUBLIC_HOST_TOKEN = 'microsandbox-host-token';
export const PUBLIC_TOKENS: readonly string[] = [PUBLIC_CLIENT_TOKEN, PUBLIC_HOST_TOKEN];

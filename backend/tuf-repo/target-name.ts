const UNSAFE = /[^A-Za-z0-9._-]+/g;

/**
 * The TUF target name of a released image: hardware id, version and file name, each reduced to
 * characters safe in a path segment, so names are unique per release image and need no escaping.
 */
export function imageTargetName(hardwareId: string, version: string, fileName: string): string {
  const part = (text: string) => text.replace(UNSAFE, '_').replace(/^\.+/, '_');
  return `${part(hardwareId)}-${part(version)}-${part(fileName)}`;
}

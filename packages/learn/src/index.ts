export const PACKAGE_NAME = '@radcam/learn';

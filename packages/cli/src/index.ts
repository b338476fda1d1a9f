export const PACKAGE_NAME = '@radcam/cli';

export const PACKAGE_NAME = '@radcam/volume-io';

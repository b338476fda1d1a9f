export const PACKAGE_NAME = '@radcam/cam';

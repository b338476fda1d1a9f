export const PACKAGE_NAME = '@radcam/gradient-features';

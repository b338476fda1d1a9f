export const PACKAGE_NAME = '@radcam/study';

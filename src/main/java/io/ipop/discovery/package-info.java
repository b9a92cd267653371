/** Where peers come from. Today: the static list in the config file. */
package io.ipop.discovery;

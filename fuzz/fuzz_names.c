/* The engines' records a hook reads for a container's names (podman's containers/storage lists,
 * Docker's config.v2.json) and the paths it finds them by: any bytes, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/names.h"

#define ID "851f7ac9fcb6cb30088ddc096ddce9119026e978bcf883259dff5f8d01f9053a"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ng_names names = {0};
    char image_id[128], dir[256];
    ng_names_parse_storage_containers(buf, size, ID, &names, image_id, sizeof(image_id), NULL);
    ng_names_parse_storage_images(buf, size, ID, &names, NULL);
    ng_names_parse_docker_config(buf, size, ID, &names, NULL);
    ng_names_storage_dir(buf, ID, dir, sizeof(dir));
    ng_names_docker_dir(buf, ID, dir, sizeof(dir));
    free(buf);
    return 0;
}

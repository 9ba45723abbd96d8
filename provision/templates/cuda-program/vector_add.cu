// provision verify: one CUDA program per toolkit, compiled and linked with its nvcc.
// It adds two vectors on the first GPU and checks every sum on the CPU. It prints one
// line: "vector add: N sums right on <device>" (exit 0), "wrong sum ..." (exit 1), or
// "cuda error: <cudaErrorName>: <message>" (exit 2) when CUDA cannot run it.
#include <cstdio>
#include <cuda_runtime.h>

__global__ void add(const float* a, const float* b, float* sum, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) sum[i] = a[i] + b[i];
}

static int failed(cudaError_t error) {
    std::printf("cuda error: %s: %s\n", cudaGetErrorName(error), cudaGetErrorString(error));
    return 2;
}

int main() {
    const int n = 1 << 20;
    int count = 0;
    cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) return failed(error);
    cudaDeviceProp device;
    if ((error = cudaGetDeviceProperties(&device, 0)) != cudaSuccess) return failed(error);
    float *a, *b, *sum;
    if ((error = cudaMallocManaged(&a, n * sizeof(float))) != cudaSuccess) return failed(error);
    if ((error = cudaMallocManaged(&b, n * sizeof(float))) != cudaSuccess) return failed(error);
    if ((error = cudaMallocManaged(&sum, n * sizeof(float))) != cudaSuccess) return failed(error);
    for (int i = 0; i < n; ++i) {
        a[i] = static_cast<float>(i);
        b[i] = static_cast<float>(2 * (i % 1000));
    }
    add<<<(n + 255) / 256, 256>>>(a, b, sum, n);
    if ((error = cudaGetLastError()) != cudaSuccess) return failed(error);
    if ((error = cudaDeviceSynchronize()) != cudaSuccess) return failed(error);
    for (int i = 0; i < n; ++i) {
        if (sum[i] != a[i] + b[i]) {
            std::printf("wrong sum at %d: %f, not %f\n", i, sum[i], a[i] + b[i]);
            return 1;
        }
    }
    std::printf("vector add: %d sums right on %s\n", n, device.name);
    return 0;
}

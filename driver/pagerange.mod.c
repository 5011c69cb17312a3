#include <linux/module.h>
#define INCLUDE_VERMAGIC
#include <linux/build-salt.h>
#include <linux/elfnote-lto.h>
#include <linux/export-internal.h>
#include <linux/vermagic.h>
#include <linux/compiler.h>

BUILD_SALT;
BUILD_LTO_INFO;

MODULE_INFO(vermagic, VERMAGIC_STRING);
MODULE_INFO(name, KBUILD_MODNAME);

__visible struct module __this_module
__section(".gnu.linkonce.this_module") = {
	.name = KBUILD_MODNAME,
	.init = init_module,
#ifdef CONFIG_MODULE_UNLOAD
	.exit = cleanup_module,
#endif
	.arch = MODULE_ARCH_INIT,
};

#ifdef CONFIG_RETPOLINE
MODULE_INFO(retpoline, "Y");
#endif


static const struct modversion_info ____versions[]
__used __section("__versions") = {
	{ 0x88db9f48, "__check_object_size" },
	{ 0xd1f7903d, "vmf_insert_pfn" },
	{ 0x47978cc, "misc_deregister" },
	{ 0x13c49cc2, "_copy_from_user" },
	{ 0x42bf8fe1, "list_lru_del" },
	{ 0x8d522714, "__rcu_read_lock" },
	{ 0x8810754a, "_find_first_bit" },
	{ 0x96a55fda, "list_lru_destroy" },
	{ 0x8dfe087e, "__mmap_lock_do_trace_acquire_returned" },
	{ 0x97a7fc84, "register_shrinker" },
	{ 0x37a0cba, "kfree" },
	{ 0xdef3fb11, "seq_lseek" },
	{ 0x1d4044b4, "zap_vma_ptes" },
	{ 0x970f9df6, "__tracepoint_mmap_lock_acquire_returned" },
	{ 0x5ee2aa12, "list_lru_count_node" },
	{ 0xa59c5e71, "__tracepoint_mmap_lock_released" },
	{ 0xba8fbd64, "_raw_spin_lock" },
	{ 0x9493fc86, "node_states" },
	{ 0x37730835, "param_get_ulong" },
	{ 0xc3ff38c2, "down_read_trylock" },
	{ 0xbdfb6dbb, "__fentry__" },
	{ 0xa19b956, "__stack_chk_fail" },
	{ 0xef44df72, "unregister_shrinker" },
	{ 0x618911fc, "numa_node" },
	{ 0x7d173e99, "__free_pages" },
	{ 0x7cd8d75e, "page_offset_base" },
	{ 0x3ef022ec, "compat_ptr_ioctl" },
	{ 0x68f31cbd, "__list_add_valid" },
	{ 0x2469810f, "__rcu_read_unlock" },
	{ 0x4dfa8d4b, "mutex_lock" },
	{ 0xedd0b017, "debugfs_remove" },
	{ 0x4c9d28b0, "phys_base" },
	{ 0x53a1e8d9, "_find_next_bit" },
	{ 0xe1537255, "__list_del_entry_valid" },
	{ 0xfef216eb, "_raw_spin_trylock" },
	{ 0xcefb0c9f, "__mutex_init" },
	{ 0xa07a54a7, "list_lru_count_one" },
	{ 0x68fb37ae, "current_task" },
	{ 0x5c3c7387, "kstrtoull" },
	{ 0xb8e7ce2c, "__put_user_8" },
	{ 0x844c8938, "misc_register" },
	{ 0x1c33b4ed, "__alloc_pages" },
	{ 0x5b8239ca, "__x86_return_thunk" },
	{ 0xc3643290, "__list_lru_init" },
	{ 0x6b10bee1, "_copy_to_user" },
	{ 0x62f7e207, "down_read_killable" },
	{ 0x6d16c104, "mutex_lock_killable" },
	{ 0x5690cb1e, "__mmdrop" },
	{ 0xbb9ed3bf, "mutex_trylock" },
	{ 0x241276ff, "nonseekable_open" },
	{ 0xabc640f3, "list_lru_isolate" },
	{ 0x34e148d7, "__mmap_lock_do_trace_start_locking" },
	{ 0x1db3ba77, "seq_read" },
	{ 0x97651e6c, "vmemmap_base" },
	{ 0x59edad5e, "debugfs_create_file" },
	{ 0xbaf22757, "kvfree_call_rcu" },
	{ 0x3213f038, "mutex_unlock" },
	{ 0x2956c81b, "__tracepoint_mmap_lock_start_locking" },
	{ 0xd2b825df, "list_lru_walk_one" },
	{ 0xf0949581, "seq_printf" },
	{ 0x2d129d4a, "__mmap_lock_do_trace_released" },
	{ 0x5caf31dc, "seq_puts" },
	{ 0xc4dad027, "mmput_async" },
	{ 0xc7c7a019, "single_release" },
	{ 0x362f9a8, "__x86_indirect_thunk_r12" },
	{ 0x606e9d01, "kmalloc_trace" },
	{ 0xc941a41a, "single_open" },
	{ 0xf4316fcd, "debugfs_create_dir" },
	{ 0xb5b54b34, "_raw_spin_unlock" },
	{ 0x648dfc82, "list_lru_add" },
	{ 0x53b954a2, "up_read" },
	{ 0xeb233a45, "__kmalloc" },
	{ 0x7a7caba8, "kmalloc_caches" },
	{ 0x32e8cfea, "mtree_load" },
	{ 0x9060323f, "module_layout" },
};

MODULE_INFO(depends, "");


MODULE_INFO(srcversion, "0AD13A820B68CF9F8FE601C");
